import {
  FailOpenStore,
  FAULT,
  SKIPPED,
  type Guarded,
} from '../guard/fail-open-store.js';
import { fullKey, fullTagKey } from '../keys/cache-keys.js';
import { patternToGlobs } from '../keys/key-patterns.js';
import type { CacheLogger } from '../logger.js';
import type { ResolvedCacheOptions } from '../options/resolve-options.js';
import type { Cluster, Redis } from 'ioredis';
import {
  CacheRecorder,
  type CacheObservers,
} from '../metrics/cache-recorder.js';
import type { CacheStore } from '../store/cache-store.js';
import { createTier } from '../tier/create-tier.js';
import type { TwoTier } from '../tier/two-tier.js';
import { CacheStats } from './cache-stats.js';
import type { EntryPolicy } from './entry-policy.js';
import type { Invalidation, InvalidationResult } from './invalidation.js';
import { Invalidator } from './invalidator.js';
import { DROPPED, Payloads } from './payloads.js';
import { ReadThrough } from './read-through.js';
import { createRestartGuard, type RestartGuard } from './restart-guard.js';

export { DROPPED } from './payloads.js';

/**
 * The cache-aside core shared by `CacheService`, the HTTP interceptor and the
 * service-method wrappers: one guarded path to the store, leased
 * read-through with single flight, write-through, and invalidations that
 * survive an outage. Knows nothing of Nest or HTTP.
 */
export class CacheEngine {
  readonly prefix: string;
  readonly stats = new CacheStats();
  readonly metrics: CacheRecorder;
  readonly guarded: FailOpenStore;
  private readonly invalidator: Invalidator;
  private readonly reads: ReadThrough;
  private readonly payloads: Payloads;
  /** The in-process tier, when configured. */
  readonly tier: TwoTier | undefined;
  /** Keeps entries a Redis restart brought back from being served. */
  readonly restarts: RestartGuard | undefined;

  constructor(
    readonly store: CacheStore,
    readonly options: ResolvedCacheOptions,
    readonly logger: CacheLogger,
    client?: Redis | Cluster,
    observers?: CacheObservers,
  ) {
    this.prefix = options.keyPrefix;
    this.metrics = new CacheRecorder(
      this.prefix,
      store.kind,
      this.stats,
      observers,
    );
    this.guarded = new FailOpenStore(
      store,
      options,
      logger,
      () => void this.stats.errors++,
      (key, token, settled) =>
        void settled.then(() => this.invalidator.releaseLater(key, token)),
      this.metrics,
    );
    this.tier = createTier(
      client,
      options,
      this.guarded,
      this.allGlob(),
      logger,
    );
    const tier = this.tier;
    this.invalidator = new Invalidator(
      this.guarded,
      this.stats,
      this.allGlob(),
      options.breakerCooldownMs,
      tier ? (inv) => tier.publish(inv) : undefined,
      // a fail-safe copy must never outlive this instance's own writes
      tier ? (inv) => tier.dropLocal(inv) : undefined,
    );
    this.payloads = new Payloads(
      options.keyPrefix,
      options.maxValueBytes,
      this.stats,
      this.guarded.faults,
      (inv) => this.invalidate(inv),
    );
    this.reads = new ReadThrough(
      this.guarded,
      this.invalidator,
      this.stats,
      this.payloads,
      options,
      this.tier,
      this.metrics,
      logger,
      options.keyPrefix,
    );
    this.restarts = createRestartGuard(client, options, this.guarded, {
      glob: this.allGlob(),
      flights: this.reads.flights,
      tier: this.tier,
      logger,
    });
  }

  key(key: string): string {
    return fullKey(this.prefix, key);
  }

  tagKey(tag: string): string {
    return fullTagKey(this.prefix, tag);
  }

  /** SCAN globs reaching every key matching `pattern` (`*` the only wildcard). */
  globs(pattern: string): string[] {
    return patternToGlobs(this.prefix, pattern);
  }

  /** The glob of every key under the prefix. */
  allGlob(): string {
    return patternToGlobs(this.prefix, '*')[0];
  }

  /** True while reads must not trust the store (breaker open, or `holding`). */
  get bypassing(): boolean {
    return this.holding || this.guarded.isOpen;
  }

  /** True while invalidations wait to be replayed, or a reconnection is not yet checked. */
  get holding(): boolean {
    return this.invalidator.pending.size > 0 || !this.guarded.trusted;
  }

  get pendingInvalidations(): number {
    return this.invalidator.pending.size;
  }

  warnOnce(message: string): void {
    this.guarded.faults.once(message);
  }

  /** Runs a store call through the guarded path: `FAULT`/`SKIPPED` instead of an error. */
  call<T>(
    operation: string,
    key: string,
    invoke: (store: CacheStore) => Promise<T>,
  ): Promise<Guarded<T>> {
    return this.guarded.call(operation, key, invoke);
  }

  /**
   * The value of a fresh entry when the store can tell without I/O (the
   * memory store), else undefined: the caller then goes through getOrLoad.
   */
  peekNow<T>(
    key: string,
    tagKeys: readonly string[],
    decode: (payload: string) => T,
    l1 = true,
    graceMs = 0,
  ): T | undefined {
    if (this.holding) return undefined;
    const payload =
      (l1 ? this.tier?.peek(key) : undefined) ??
      this.store.peekNow?.(key, tagKeys, graceMs);
    if (payload === undefined) return undefined;
    try {
      const value = decode(payload);
      this.metrics.requestNow(key, 'hit', l1 && this.tier ? 'l1' : undefined);
      return value;
    } catch {
      return undefined;
    }
  }

  /**
   * The cached value of `key`, or the loader's (stored for next time), one
   * load shared by concurrent callers when its value is stored. A loader
   * error stores nothing; within a grace period the entry is served instead.
   */
  getOrLoad<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    onStale?: () => void,
  ): Promise<T> {
    return this.reads.getOrLoad(key, tagKeys, loader, policy, onStale);
  }

  /** Decodes a payload read outside getOrLoad; an undecodable one is dropped. */
  decodeOrDrop<T>(
    key: string,
    payload: string,
    policy: EntryPolicy<T>,
  ): T | typeof DROPPED {
    return this.payloads.decodeOrDrop(key, payload, policy);
  }

  /** The payload to store for `value`, or undefined (declined, unencodable or too large; logged). */
  encodeOrSkip<T>(
    key: string,
    value: T,
    policy: EntryPolicy<T>,
  ): string | undefined {
    return this.payloads.encodeOrSkip(key, value, policy);
  }

  fitsSize(key: string, payload: string): boolean {
    return this.payloads.fitsSize(key, payload);
  }

  /**
   * Stores unconditionally (write-through), after `first` is invalidated
   * when given. Loads in flight for the key lose their lease; when the
   * store cannot confirm the write, the key is invalidated later instead,
   * so that an older entry is not served.
   */
  async put(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
    first?: Invalidation,
  ): Promise<boolean> {
    this.reads.flights.forgetCovered([key], first?.tagKeys ?? [], false);
    if (this.invalidator.pending.size === 0) {
      const cleared = first ? await this.invalidate(first) : undefined;
      if (cleared === undefined || cleared.applied) {
        const ttl = this.reads.filler.jitter(ttlMs);
        const r = await this.guarded.call('put', key, (s) =>
          s.write(key, payload, ttl, tagKeys),
        );
        if (r !== FAULT && r !== SKIPPED) return this.written([key]);
      }
    }
    this.invalidator.defer({ ...first, keys: [...(first?.keys ?? []), key] });
    return false;
  }

  /**
   * Deletes keys, bumps tags and clears patterns. Local loads that may hold
   * older data stop taking joiners at once; what the store does not confirm
   * is replayed, and the cache is bypassed until it is.
   */
  invalidate(inv: Invalidation): Promise<InvalidationResult> {
    const all = inv.globs?.includes(this.allGlob()) ?? false;
    this.reads.flights.forgetCovered(
      inv.keys ?? [],
      inv.tagKeys ?? [],
      all || (inv.globs?.length ?? 0) > 0,
    );
    return this.invalidator.invalidate(inv);
  }

  /**
   * After a write of `keys` (put, mset, a batch): every instance's tier drops
   * what it kept of them; if the tier's bus cannot be told, the keys are
   * invalidated later instead. True when nothing is left to do.
   */
  async written(keys: readonly string[]): Promise<boolean> {
    if (!this.tier || keys.length === 0) return true;
    if (await this.tier.publish({ keys })) return true;
    this.invalidator.defer({ keys });
    return false;
  }

  /** Starts what runs in the background (the tier's lease and bus, the restart check). */
  start(): void {
    this.tier?.start();
    this.restarts?.start();
  }

  /** Replays deferred invalidations now; true once none is left. */
  flushPending(): Promise<boolean> {
    return this.invalidator.flush();
  }

  async close(): Promise<void> {
    this.reads.closed = true;
    this.restarts?.close();
    await this.tier?.close();
    const left = this.invalidator.close();
    this.guarded.close();
    if (left) {
      this.logger.warn(
        `${left} cache invalidation(s) could not reach the store before shutdown`,
      );
    }
  }
}
