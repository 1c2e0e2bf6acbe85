import type { Cluster, Redis } from 'ioredis';
import { infoField } from './redis-info.js';

/**
 * What a check found, against the marker (the run ids of the masters that
 * some process last cleared the cache for) and against what this process
 * saw last:
 * - `same`: the marker names every master's run, as this process last saw it;
 * - `moved`: the marker names them, but this process last saw other runs
 *   (another process cleared the cache after the restart);
 * - `unsealed`: the marker misses a master's run: entries may predate a
 *   lost invalidation; clear, then `seal`;
 * - `fault`: Redis did not answer.
 */
export type RunVerdict =
  | {
      readonly kind: 'same' | 'moved' | 'unsealed';
      readonly runs: readonly string[];
      readonly marked: boolean;
      readonly generation: number;
    }
  | { readonly kind: 'fault' };

/** `call`, rejected after `ms` (for background checks, never on a read). */
export function bounded<T>(call: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Watches the identity of the Redis process(es) behind a client: every run
 * of redis-server has its own `run_id`, so a restart (or a failover to
 * another node) shows as a new one. Any reconnection makes the store
 * untrusted at once (synchronously, before a command can be sent on the
 * new connection), until a check finds the runs sealed. Nothing here runs
 * on a read: `trusted` is a field.
 */
export class RunWatch {
  private trust = false;
  private generation = 0;
  private lastSeen: ReadonlySet<string> | undefined;
  private listener: () => void = () => undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly markerKey: string,
    private readonly timeoutMs: number,
  ) {}

  /** False from the first connection, and from any reconnection, until a check (and a clear) says otherwise. */
  get trusted(): boolean {
    return this.trust;
  }

  /** Starts watching; `onSuspect` is told of every reconnection. */
  start(onSuspect: () => void): void {
    this.listener = onSuspect;
    this.client.on('ready', this.suspect);
    this.client.on('close', this.suspect);
    // in a cluster, node connections also come and go on every topology
    // refresh: telling a restarted node from that is not done yet, so a
    // node restart is seen only when the whole client reconnects
  }

  stop(): void {
    this.client.off('ready', this.suspect);
    this.client.off('close', this.suspect);
  }

  /** Stops trusting the store until the next check passes (a check found it not cleared). */
  distrust(): void {
    this.trust = false;
  }

  private readonly suspect = (): void => {
    this.trust = false;
    this.generation++;
    this.listener();
  };

  private masters(): Redis[] {
    return this.client.isCluster
      ? (this.client as Cluster).nodes('master')
      : [this.client as Redis];
  }

  /** Reads every master's run id and the marker; sends INFO server and GET. */
  async check(): Promise<RunVerdict> {
    const generation = this.generation;
    const masters = this.masters();
    if (masters.length === 0) return { kind: 'fault' };
    try {
      const [infos, marker] = await bounded(
        Promise.all([
          Promise.all(masters.map((m) => m.info('server'))),
          this.client.get(this.markerKey),
        ]),
        this.timeoutMs,
      );
      const runs = infos.map((raw) => infoField(raw, 'run_id') ?? '');
      if (runs.some((r) => r === '')) return { kind: 'fault' };
      const sealed = new Set((marker ?? '').split(' '));
      const marked = marker !== null;
      if (!runs.every((r) => sealed.has(r)))
        return { kind: 'unsealed', runs, marked, generation };
      const seen = this.lastSeen;
      const kind =
        seen === undefined || runs.every((r) => seen.has(r)) ? 'same' : 'moved';
      return { kind, runs, marked, generation };
    } catch {
      return { kind: 'fault' };
    }
  }

  /** Records that the cache was cleared for these runs (after the clear). */
  async seal(runs: readonly string[]): Promise<boolean> {
    try {
      await bounded(
        this.client.set(this.markerKey, runs.join(' ')),
        this.timeoutMs,
      );
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Trusts the store after `verdict` was dealt with, unless the client
   * reconnected since the check (then another check follows).
   */
  trustAfter(verdict: RunVerdict): boolean {
    if (verdict.kind === 'fault' || verdict.generation !== this.generation)
      return false;
    this.lastSeen = new Set(verdict.runs);
    this.trust = true;
    return true;
  }
}
