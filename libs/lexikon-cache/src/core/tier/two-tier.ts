import { tierStateKey } from '../keys/cache-keys.js';
import type { Invalidation } from '../engine/invalidation.js';
import type { CacheLogger } from '../logger.js';
import type { ScriptReply } from '../store/redis/batch-codec.js';
import type { StoreScript } from '../store/redis/scripts/index.js';
import { monotonicMs } from '../time/monotonic.js';
import { TierBus } from './tier-bus.js';
import { JOIN, LEAVE, PUBLISH, RENEW } from './coherence-scripts.js';
import { L1Cache, type L1Limits } from './l1-cache.js';
import { WriteBarrier, type PendingMember } from './write-barrier.js';
import { checkMembers, parsePublished } from './tier-replies.js';

export interface TierSettings {
  readonly keyPrefix: string;
  /** How long a member may serve its tier without renewing its lease. */
  readonly leaseMs: number;
  /** How far behind the bus a member may be and still renew. */
  readonly maxLagMs: number;
  /** Longest life of an entry in the tier. */
  readonly ttlMs: number;
  readonly limits: L1Limits;
}

/** Runs a coherence script through the guarded path: undefined on a fault. */
export type TierScripts = (
  script: StoreScript,
  keys: readonly string[],
  args: readonly (string | number)[],
  /** What a write must get through (see FailOpenStore.essential). */
  essential?: boolean,
) => Promise<ScriptReply | undefined>;

/** When a read began, for `admit`: a fill is refused if an invalidation applied since may cover it. */
export interface AdmitTicket {
  readonly generation: number;
  readonly seq: number;
}

const RECENT = 256;

/**
 * The in-process tier (L1), as fresh as Redis: an instance serves from it
 * only while it holds a lease from the tier node and has applied every
 * invalidation published on the bus; a writer's invalidation resolves only
 * once every other lease holder has applied it or its lease has lapsed.
 * See `docs/two-tiers.md` for the protocol and why it holds.
 */
export class TwoTier {
  readonly l1: L1Cache;
  private joined: { inc: string; epoch: number } | undefined;
  private validUntil = 0;
  private generation = 0;
  /** Counts local applications of invalidations (bus or own writes), for tickets. */
  private seq = 0;
  private readonly recent: { seq: number; inv: Invalidation }[] = [];
  private joining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly marginMs: number;
  private readonly stateKeys: readonly string[];
  private readonly barrier: WriteBarrier;

  constructor(
    readonly id: string,
    private readonly scripts: TierScripts,
    private readonly bus: TierBus,
    private readonly settings: TierSettings,
    private readonly allGlob: string,
    private readonly logger: CacheLogger,
  ) {
    this.l1 = new L1Cache(settings.limits);
    this.marginMs = Math.max(50, Math.floor(settings.leaseMs / 10));
    const state = tierStateKey(settings.keyPrefix);
    this.stateKeys = [state, `${state}:t`];
    this.barrier = new WriteBarrier(
      (epoch, inc, ids) =>
        checkMembers(scripts, this.stateKeys[0], epoch, inc, ids),
      settings.maxLagMs + settings.leaseMs + this.marginMs,
      this.marginMs,
    );
    bus.on({
      message: (inc, epoch, inv) => this.onMessage(inc, epoch, inv),
      ack: (id, epoch) => this.barrier.acked(id, epoch),
      up: () => this.resync('the bus connected'),
      down: () => this.stopServing(),
    });
  }

  start(): void {
    this.timer = setInterval(
      () => void this.tick(),
      Math.max(20, Math.floor(this.settings.leaseMs / 3)),
    );
    this.timer.unref();
    this.bus.start();
  }

  /** True while this instance may answer from its tier. */
  get serving(): boolean {
    return this.joined !== undefined && monotonicMs() < this.validUntil;
  }

  peek(key: string): string | undefined {
    return this.serving ? this.l1.get(key) : undefined;
  }

  /** How long the tier keeps `key` still (ms; at most its time left in Redis). */
  remainingMs(key: string): number {
    return this.l1.remainingMs(key);
  }

  ticket(): AdmitTicket {
    return { generation: this.joined ? this.generation : -1, seq: this.seq };
  }

  /** Keeps a payload read (or filled) since `ticket`, unless an invalidation since may cover it. */
  admit(
    key: string,
    payload: string,
    tagKeys: readonly string[],
    ttlMs: number,
    t: AdmitTicket,
  ): void {
    if (!this.joined || t.generation !== this.generation) return;
    if (t.seq !== this.seq) {
      const oldest = this.recent[0]?.seq;
      if (oldest === undefined || oldest > t.seq + 1) return;
      for (const r of this.recent) {
        if (r.seq > t.seq && L1Cache.covers(r.inv, key, tagKeys)) return;
      }
    }
    this.l1.set(key, payload, tagKeys, Math.min(ttlMs, this.settings.ttlMs));
  }

  /** Drops what an invalidation Redis has not confirmed yet covers, from this instance's tier. */
  dropLocal(inv: Invalidation): void {
    this.applyLocal(inv);
  }

  private applyLocal(inv: Invalidation): void {
    this.l1.apply(inv, this.allGlob);
    this.recent.push({ seq: ++this.seq, inv });
    if (this.recent.length > RECENT) this.recent.shift();
  }

  /**
   * Tells every instance of `inv` (already applied in Redis) and waits until
   * none can serve what it covers from its tier. False when the bus could
   * not be told: the caller defers the invalidation as when Redis is down.
   */
  async publish(inv: Invalidation): Promise<boolean> {
    this.applyLocal(inv);
    const reply = await this.scripts(
      PUBLISH,
      this.stateKeys,
      [this.bus.channel, JSON.stringify(inv), this.id, this.settings.leaseMs],
      true,
    );
    const published = parsePublished(reply);
    if (!published) return false;
    const { inc, epoch, unknownMs, members } = published;
    const behind: PendingMember[] = members.filter((m) => m.applied < epoch);
    await Promise.all([
      this.barrier.wait(epoch, inc, behind),
      unknownMs > 0 ? this.barrier.waitOutLeases(unknownMs) : undefined,
    ]);
    return true;
  }

  private onMessage(inc: string, epoch: number, inv: Invalidation): void {
    const joined = this.joined;
    if (!joined) {
      // joining: applied once the join says from which epoch on
      this.bus.hold(inc, epoch, inv);
      return;
    }
    if (inc !== joined.inc) {
      this.resync('the tier state was recreated');
      return;
    }
    if (epoch <= joined.epoch) return;
    if (epoch > joined.epoch + 1) {
      this.resync('a bus message was missed');
      return;
    }
    this.applyLocal(inv);
    joined.epoch = epoch;
    this.bus.ack(this.stateKeys[0], this.id, epoch, inc);
  }

  /** Empties the tier and joins again (the store it mirrors may have gone back in time). */
  drop(reason: string): void {
    this.resync(reason);
  }

  private stopServing(): void {
    this.validUntil = 0;
  }

  /** Empties the tier and joins again: nothing it may have missed survives. */
  private resync(reason: string): void {
    if (this.closed) return;
    if (this.joined)
      this.logger.debug(`In-process tier resynchronising: ${reason}`);
    this.joined = undefined;
    this.validUntil = 0;
    this.generation++;
    this.l1.clear();
    this.recent.length = 0;
    this.joining ??= this.join().finally(() => (this.joining = undefined));
  }

  private async join(): Promise<void> {
    if (!this.bus.connected) return;
    const sent = monotonicMs();
    const reply = await this.scripts(
      JOIN,
      [this.stateKeys[0]],
      [this.id, this.settings.leaseMs],
    );
    if (!Array.isArray(reply) || this.closed) return;
    this.joined = { inc: String(reply[0]), epoch: Number(reply[1]) };
    this.validUntil = sent + this.settings.leaseMs - this.marginMs;
    for (const m of this.bus.release()) this.onMessage(m.inc, m.epoch, m.inv);
  }

  private async tick(): Promise<void> {
    if (this.closed || this.joining) return;
    const joined = this.joined;
    if (!joined) {
      this.resync('not a member yet');
      return;
    }
    const sent = monotonicMs();
    const reply = await this.scripts(RENEW, this.stateKeys, [
      this.id,
      this.settings.leaseMs,
      this.settings.maxLagMs,
      joined.inc,
    ]);
    if (reply === undefined || this.joined !== joined) return;
    if (Array.isArray(reply) && reply[0] === 'ok') {
      this.validUntil = sent + this.settings.leaseMs - this.marginMs;
    } else {
      this.resync('the lease was not renewed');
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.stopServing();
    // it serves nothing from now on: writers stop waiting for it at once,
    // not when its lease lapses (a restart would slow every write meanwhile)
    if (this.joined) {
      this.joined = undefined;
      await this.scripts(LEAVE, [this.stateKeys[0]], [this.id]);
    }
    await this.bus.close();
  }
}
