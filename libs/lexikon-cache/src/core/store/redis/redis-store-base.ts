import type { Cluster, Redis } from 'ioredis';
import { stopReviving } from './sentinel-revival.js';
import { CacheWrongTypeError } from '../../errors/lexikon-cache.error.js';
import type {
  CacheStore,
  CacheStoreInfo,
  Lease,
  LeaseRequest,
  ReadOutcome,
  StoreBatchOp,
  StoreBatchReply,
  StoreHealth,
  StoreHealthOptions,
} from '../cache-store.js';
import {
  batchError,
  decodeBatch,
  encodeBatch,
  isWrongType,
  type ScriptReply,
} from './batch-codec.js';
import { whenClientReady } from './client-ready.js';
import { UNTAGGED_HEADER } from './entry-header.js';
import { notConnectedMessage, probeRedis } from './redis-health.js';
import { readStoreInfo } from './redis-info.js';
import { scanDelete } from './scan-delete.js';
import { ScriptRunner } from './script-runner.js';
import {
  BATCH,
  BUMP,
  EXTEND,
  INCREMENT,
  READ,
  READ_CORRUPT_LEASED,
  READ_HELD,
  RELEASE,
  type StoreScript,
  WRITE_MANY,
} from './scripts/index.js';

export type RedisMode = 'standalone' | 'sentinel' | 'cluster';

/** The Redis store's settings. */
export interface RedisStoreSettings {
  /** The tag sequence's key (in the tags' slot). */
  readonly sequenceKey: string;
  /** Told of each corrupt value a read deleted (its key, for the namespace). */
  readonly onCorrupt: (key: string) => void;
  /** Bounds a health probe too, when shorter than the probe's own timeout. */
  readonly commandTimeoutMs: number;
  /** Keys a pattern delete leaves (the tier's state, compression dictionaries). */
  readonly sparePrefixes?: readonly string[];
}

/**
 * What the Redis stores share: the connection's life, the scripts, and the
 * commands whose protocol does not depend on where the tags live.
 */
export abstract class RedisStoreBase implements CacheStore {
  readonly kind = 'redis' as const;
  protected readonly scripts: ScriptRunner;
  /** The last connection fault since the client was last ready, for health(). */
  private connectionError: Error | undefined;

  constructor(
    protected readonly client: Redis | Cluster,
    readonly mode: RedisMode,
    protected readonly settings: RedisStoreSettings,
  ) {
    this.scripts = new ScriptRunner(client);
    client.on('ready', this.onReady);
    client.on('error', this.onError);
    if (mode === 'cluster') client.on('node error', this.onError);
  }

  private readonly onReady = () => {
    this.connectionError = undefined;
  };

  // also keeps ioredis from printing every failed reconnect to the console
  private readonly onError = (err: Error) => {
    this.connectionError = err;
  };

  protected run(
    script: StoreScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<ScriptReply> {
    return this.scripts.run(script, keys, args);
  }

  /** The nodes that hold keys: every master in a cluster, else the one server. */
  protected abstract masters(): Redis[];

  abstract read(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    plainFirst?: boolean,
    detail?: boolean,
    graceMs?: number,
  ): Promise<ReadOutcome>;

  abstract keptEntry(
    key: string,
    token: string,
    putBackMs: number,
  ): Promise<boolean>;

  abstract fill(
    key: string,
    lease: Lease,
    tagKeys: readonly string[],
    lateTagKeys: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean>;

  abstract write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void>;

  abstract readMany(keys: readonly string[]): Promise<(string | undefined)[]>;

  async bumpTags(
    tagKeys: readonly string[],
    softTagKeys?: readonly string[],
  ): Promise<void> {
    if (tagKeys.length === 0) return;
    const keys = [this.settings.sequenceKey, ...tagKeys];
    const modes = softTagKeys?.length
      ? tagKeys.map((t) => (softTagKeys.includes(t) ? 's' : 'h')).join('')
      : '';
    await this.run(BUMP, keys, [modes]);
  }

  /**
   * A plain GET first: an untagged entry is then a hit without any script.
   * Anything else (a miss, a lease, a tagged entry) goes on to `script`,
   * which takes the lease or checks the tags, at the price of a second
   * round trip on those reads only.
   */
  protected plainFirst(
    key: string,
    script: () => Promise<ReadOutcome>,
  ): Promise<ReadOutcome> {
    return this.client
      .get(key)
      .then((value) =>
        value !== null && value.startsWith(UNTAGGED_HEADER)
          ? value.slice(UNTAGGED_HEADER.length)
          : script(),
      );
  }

  protected corrupt(code: unknown, key: string): void {
    if (code === READ_CORRUPT_LEASED) this.settings.onCorrupt(key);
  }

  protected holderOf(reply: ScriptReply[]): string | undefined {
    return reply[0] === READ_HELD ? String(reply[1]) : undefined;
  }

  protected readScript(
    key: string,
    lease: LeaseRequest | undefined,
    extraKeys: readonly string[],
    mode: 'c' | 's',
    detail: boolean,
    graceMs = 0,
  ): Promise<ScriptReply> {
    const keys = extraKeys.length ? [key, ...extraKeys] : [key];
    const args: (string | number)[] = [
      lease?.ms ?? '0',
      lease?.token ?? '',
      mode,
    ];
    // only a read that asks for more sends more arguments
    if (detail || graceMs > 0) args.push(detail ? 'd' : '');
    if (graceMs > 0) args.push(graceMs);
    return this.run(READ, keys, args);
  }

  async release(key: string, token: string): Promise<void> {
    await this.run(RELEASE, [key], [token]);
  }

  async extendLease(key: string, token: string, ms: number): Promise<boolean> {
    return (await this.run(EXTEND, [key], [token, ms])) === 1;
  }

  async writeMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    if (this.mode === 'cluster') {
      await Promise.all(
        entries.map(([k, payload]) =>
          this.client.set(k, UNTAGGED_HEADER + payload, 'PX', ttlMs),
        ),
      );
      return;
    }
    await this.run(
      WRITE_MANY,
      entries.map(([k]) => k),
      [ttlMs, ...entries.map(([, payload]) => payload)],
    );
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (this.mode === 'cluster' || keys.length === 1) {
      const counts = await Promise.all(keys.map((k) => this.client.unlink(k)));
      return counts.reduce((a, b) => a + b, 0);
    }
    return this.client.unlink(...keys);
  }

  async deleteMatching(glob: string, progress?: () => void): Promise<number> {
    const cluster = this.mode === 'cluster';
    const spare = this.settings.sparePrefixes;
    const counts = await Promise.all(
      this.masters().map((n) => scanDelete(n, glob, cluster, spare, progress)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    try {
      return Number(await this.run(INCREMENT, [key], [by, ttlMs]));
    } catch (err) {
      if (isWrongType(err)) throw CacheWrongTypeError.create('increment', key);
      throw err;
    }
  }

  async batch(ops: readonly StoreBatchOp[]): Promise<StoreBatchReply[]> {
    if (ops.length === 0) return [];
    const { keys, args } = encodeBatch(ops);
    try {
      return decodeBatch(ops, await this.run(BATCH, keys, args));
    } catch (err) {
      throw batchError(err);
    }
  }

  async ping(): Promise<void> {
    await Promise.all(this.masters().map((n) => n.ping()));
  }

  info(): Promise<CacheStoreInfo> {
    return readStoreInfo(this.masters(), this.mode);
  }

  /** Answers at once when the client is not connected; sends nothing then. */
  async health(options: StoreHealthOptions): Promise<StoreHealth> {
    const status = this.client.status;
    const cluster = this.mode === 'cluster';
    // 'wait': a lazy client (given by the application) connects on its first command
    if (status !== 'ready' && !(status === 'wait' && !cluster)) {
      return {
        ok: false,
        message: notConnectedMessage(status, this.connectionError),
      };
    }
    const timeoutMs = Math.min(
      options.timeoutMs,
      this.settings.commandTimeoutMs,
    );
    return probeRedis(this.masters(), cluster, { ...options, timeoutMs });
  }

  waitUntilReady(timeoutMs: number): Promise<boolean> {
    return whenClientReady(this.client, timeoutMs);
  }

  isReady(): boolean {
    // 'wait': a lazy client connects on its first command
    const status = this.client.status;
    return status === 'ready' || status === 'wait';
  }

  async close(options?: { keepConnection?: boolean }): Promise<void> {
    this.client.off('ready', this.onReady);
    this.client.off('error', this.onError);
    this.client.off('node error', this.onError);
    if (options?.keepConnection) return;
    stopReviving(this.client);
    // QUIT alone leaves a Sentinel client's failover-detector connections
    // open; disconnect() after it closes them and stops any reconnect
    await this.client.quit().catch(() => undefined);
    this.client.disconnect();
  }
}
