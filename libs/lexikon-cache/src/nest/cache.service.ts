import { Injectable } from '@nestjs/common';
import { decodeStoredValue } from '../core/codec/http-entry.js';
import { encodeValue } from '../core/codec/value-codec.js';
import { CacheEngine, DROPPED } from '../core/engine/cache-engine.js';
import type { CacheStatsSnapshot } from '../core/engine/cache-stats.js';
import type { EntryPolicy } from '../core/engine/entry-policy.js';
import { CacheUnavailableError } from '../core/errors/lexikon-cache.error.js';
import { answered as ok } from '../core/guard/fail-open-store.js';
import type { CacheStoreInfo } from '../core/store/cache-store.js';
import type { Duration } from '../core/time/duration.js';
import { keyTag } from '../declarative/plan-executor.js';
import { checkBy, checkKey, ttlMsOf } from './cache-arguments.js';
import { CacheBatch, runBatch, type BatchResults } from './cache-batch.js';

/** Options of `CacheService.set()`. @example await cache.set('user:1', user, { ttl: '5m', tags: ['team:7'] }) */
export interface CacheSetOptions {
  /** Lifetime: ms, or a string with its unit (`'5m'`). Default: the module's `defaultTtl`. */
  ttl?: Duration;
  /** Tags whose invalidation also invalidates this entry. */
  tags?: readonly string[];
}

/** Options of `CacheService.getOrSet()`. @example cache.getOrSet('user:1', load, { ttl: '5m', cacheNullish: false }) */
export interface CacheGetOrSetOptions extends CacheSetOptions {
  /** Store a `null`/`undefined` result too (default true). */
  cacheNullish?: boolean;
}

/** What `CacheService.info()` reports. @example const { usedMemoryMb, stats, breakerOpen } = await cache.info() */
export interface CacheInfo extends CacheStoreInfo {
  readonly stats: CacheStatsSnapshot;
  readonly breakerOpen: boolean;
  readonly pendingInvalidations: number;
}

const VALUE_POLICY: EntryPolicy<unknown> = {
  ttlMs: 0,
  encode: encodeValue,
  decode: decodeStoredValue,
};

/**
 * The cache: Redis (or process memory) behind a small, fail-safe API. Keys
 * are prefixed, every entry has a TTL, values keep their types (Date, BigInt,
 * Map, Set, Buffer, typed arrays, `null` vs a miss), and a store fault never
 * fails a call: reads miss, writes resolve to `false`, loaders still run,
 * invalidations are replayed once the store is back. Misuse (a bad key or
 * TTL, an unencodable value) rejects with a `LexikonCacheError`.
 *
 * @example
 * constructor(private readonly cache: CacheService) {}
 * const user = await this.cache.getOrSet(`user:${id}`, () => this.repo.findOneBy({ id }), { ttl: '5m' });
 */
@Injectable()
export class CacheService {
  constructor(private readonly engine: CacheEngine) {}

  private ttlMs(ttl: Duration | undefined): number {
    return ttlMsOf(ttl, this.engine.options.defaultTtlMs);
  }

  private tagKeys(tags: readonly string[] | undefined): readonly string[] {
    if (!tags?.length) return [];
    return tags.map((t) => {
      checkKey(t);
      return this.engine.tagKey(t);
    });
  }

  private decode<T>(key: string, payload: string | undefined): T | undefined {
    if (payload === undefined) return undefined;
    const value = this.engine.decodeOrDrop(key, payload, VALUE_POLICY);
    return value === DROPPED ? undefined : (value as T);
  }

  /** The value stored at `key`, or `undefined` on a miss (a stored `null` is `null`). */
  async get<T = unknown>(key: string): Promise<T | undefined> {
    checkKey(key);
    if (this.engine.pendingInvalidations > 0) return undefined;
    const full = this.engine.key(key);
    const r = await this.engine.call('get', full, (s) =>
      s.read(full, [], undefined, false),
    );
    return ok(r) && typeof r === 'string' ? this.decode<T>(full, r) : undefined;
  }

  /**
   * Stores `value`. Rejects with `UnencodableValueError` for a value the
   * codec cannot represent; resolves to `false` when the value is too large
   * or the store unavailable (the key is then invalidated once it is back).
   */
  async set<T>(
    key: string,
    value: T,
    options?: CacheSetOptions,
  ): Promise<boolean> {
    checkKey(key);
    const ttlMs = this.ttlMs(options?.ttl);
    const tagKeys = this.tagKeys(options?.tags);
    const payload = encodeValue(value);
    const full = this.engine.key(key);
    if (!this.engine.fitsSize(full, payload)) return false;
    return this.engine.put(full, payload, ttlMs, tagKeys);
  }

  /** Caller keys' entries, and every principal's copy of an HTTP entry under them. */
  private keyInvalidation(keys: readonly string[]) {
    keys.forEach(checkKey);
    return {
      keys: keys.map((k) => this.engine.key(k)),
      tagKeys: keys.map((k) => this.engine.tagKey(keyTag(k))),
    };
  }

  /** Deletes one key or several; resolves to how many existed (0 while deferred by an outage). */
  async delete(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    if (list.length === 0) return 0;
    return (await this.engine.invalidate(this.keyInvalidation(list))).deleted;
  }

  /** Whether `key` holds a fresh entry. */
  async exists(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  /**
   * Deletes every key under the prefix that matches `pattern`, by SCAN and
   * UNLINK in batches (never KEYS). Only `*` is a wildcard; `?`, `[`, `]` and
   * `\` match themselves. Resolves to how many were deleted.
   */
  async deletePattern(pattern: string): Promise<number> {
    checkKey(pattern);
    const globs = this.engine.globs(pattern);
    return (await this.engine.invalidate({ globs })).deleted;
  }

  /** Several values in one round trip, `undefined` for each miss. */
  async mget<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]> {
    keys.forEach(checkKey);
    const misses = keys.map(() => undefined);
    if (keys.length === 0 || this.engine.pendingInvalidations > 0)
      return misses;
    const full = keys.map((k) => this.engine.key(k));
    const r = await this.engine.call('mget', full[0], (s) => s.readMany(full));
    return ok(r) ? r.map((p, i) => this.decode<T>(full[i], p)) : misses;
  }

  /** Stores several values in one round trip, all with the same TTL. */
  async mset(
    entries:
      | Readonly<Record<string, unknown>>
      | readonly (readonly [string, unknown])[],
    options?: { ttl?: Duration },
  ): Promise<boolean> {
    const list = Array.isArray(entries)
      ? (entries as readonly (readonly [string, unknown])[])
      : Object.entries(entries);
    const ttlMs = this.ttlMs(options?.ttl);
    const encoded = list.map(([k, v]): [string, string] => {
      checkKey(k);
      return [this.engine.key(k), encodeValue(v)];
    });
    if (encoded.length === 0) return true;
    if (encoded.some(([k, p]) => !this.engine.fitsSize(k, p))) return false;
    if (this.engine.pendingInvalidations > 0) return false;
    const r = await this.engine.call('mset', encoded[0][0], (s) =>
      s.writeMany(encoded, ttlMs),
    );
    if (ok(r)) return true;
    await this.engine.invalidate({ keys: encoded.map(([k]) => k) });
    return false;
  }

  /**
   * Runs commands as one atomic batch (a single server-side script: no other
   * client's command interleaves, unlike a pipeline) and returns one outcome
   * per command, by position; a failing command does not stop the others. In
   * Redis Cluster all keys must share a hash slot (`CrossSlotBatchError`
   * otherwise). With the store unavailable every outcome is a failure.
   *
   * @example
   * const [views, last] = await cache.batch((b) => b.increment('views').get<Date>('last-visit'));
   * if (views.ok) metrics.record(views.value);
   */
  async batch<R extends readonly unknown[]>(
    build: (batch: CacheBatch) => CacheBatch<R>,
  ): Promise<BatchResults<R>> {
    const batch = build(
      new CacheBatch(
        (v) => encodeValue(v),
        (ttl) => this.ttlMs(ttl),
        checkBy,
      ),
    );
    batch.ops.forEach((op) => checkKey(op.key));
    return runBatch(this.engine, batch, VALUE_POLICY);
  }

  /**
   * The cached value, or the loader's result, stored for next time.
   * Concurrent callers in this process share one loader call (and across
   * processes on one Redis, a lease makes one of them load); a loader that
   * throws stores nothing and its error reaches every waiter.
   */
  getOrSet<T>(
    key: string,
    loader: () => T | Promise<T>,
    options?: CacheGetOrSetOptions,
  ): Promise<T> {
    try {
      checkKey(key);
      const ttlMs = this.ttlMs(options?.ttl);
      const tagKeys = this.tagKeys(options?.tags);
      const cacheNullish = options?.cacheNullish ?? true;
      const policy: EntryPolicy<T> = {
        ttlMs,
        encode: (value) =>
          cacheNullish || value != null ? encodeValue(value) : undefined,
        decode: decodeStoredValue as (payload: string) => T,
      };
      return this.engine.getOrLoad(
        this.engine.key(key),
        tagKeys,
        async () => loader(),
        policy,
      );
    } catch (err) {
      return Promise.reject(
        err instanceof Error ? err : new Error(String(err)),
      );
    }
  }

  /**
   * Adds `by` (default 1) to an integer counter, creating it at `by` with the
   * TTL when absent. Rejects with `CacheWrongTypeError` when the key holds
   * another value; resolves to `undefined` when the store is unavailable.
   */
  async increment(
    key: string,
    by = 1,
    options?: { ttl?: Duration },
  ): Promise<number | undefined> {
    checkKey(key);
    checkBy(by);
    const ttlMs = this.ttlMs(options?.ttl);
    const full = this.engine.key(key);
    const r = await this.engine.call('increment', full, (s) =>
      s.increment(full, by, ttlMs),
    );
    return ok(r) ? r : undefined;
  }

  /** Invalidates every entry with one of these tags, O(1) per tag; `false`: not confirmed yet, replayed later. */
  async invalidateTags(tags: readonly string[]): Promise<boolean> {
    return (await this.engine.invalidate({ tagKeys: this.tagKeys(tags) }))
      .applied;
  }

  /**
   * True when the store answers a PING within `timeoutMs` (default 1000); in
   * a cluster, every master, and CLUSTER INFO. For a Terminus readiness
   * check with details, use `RedisHealthIndicator` from `@lexikon/cache/health`.
   */
  async healthCheck(timeoutMs = 1000): Promise<boolean> {
    return (await this.engine.store.health({ timeoutMs })).ok;
  }

  /**
   * Store figures (memory, clients, commands, keys) plus this process's
   * counters. Rejects with `CacheUnavailableError` when the store does not
   * answer within the command timeout.
   */
  async info(): Promise<CacheInfo> {
    const r = await this.engine.call('info', this.engine.prefix, (s) =>
      s.info(),
    );
    if (!ok(r)) {
      throw new CacheUnavailableError(
        'UNAVAILABLE',
        'info: the cache store is unavailable',
      );
    }
    return {
      ...r,
      stats: this.engine.stats.snapshot(),
      breakerOpen: this.engine.guarded.isOpen,
      pendingInvalidations: this.engine.pendingInvalidations,
    };
  }

  /** Deletes every key under this cache's prefix, and nothing else. */
  async clear(): Promise<number> {
    return (await this.engine.invalidate({ globs: [this.engine.allGlob()] }))
      .deleted;
  }
}
