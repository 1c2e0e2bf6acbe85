import { Injectable } from '@nestjs/common';
import { encodeValue } from '../core/codec/value-codec.js';
import { CacheEngine } from '../core/engine/cache-engine.js';
import { CacheUnavailableError } from '../core/errors/lexikon-cache.error.js';
import { answered as ok } from '../core/guard/fail-open-store.js';
import type { InvalidationCounts } from '../core/metrics/cache-tracer.js';
import type { Invalidation } from '../core/engine/invalidation.js';
import type { Duration } from '../core/time/duration.js';
import {
  keysInvalidation,
  patternGlobs,
  scopedEntry,
} from '../declarative/entry-scope.js';
import { EntryVersions } from '../declarative/entry-versions.js';
import { checkBy, checkKey, graceOf, ttlMsOf } from './cache-arguments.js';
import { CacheBatch, runBatch, type BatchResults } from './cache-batch.js';
import {
  loaderPolicy,
  tagKeysOf,
  VALUE_POLICY,
  versionedEntries,
  writeMany,
} from './cache-entries.js';
import { readMany, readOne } from './cache-reads.js';
import { countedInvalidation, statisticsOf } from './cache-statistics.js';
import type {
  CacheEntryOptions,
  CacheGetOrSetOptions,
  CacheInfo,
  CacheInvalidateTagsOptions,
  CacheSetOptions,
  CacheStatistics,
} from './cache-service.types.js';

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
  private readonly versions: EntryVersions;

  constructor(private readonly engine: CacheEngine) {
    this.versions = new EntryVersions(engine.options);
  }

  /** This version's copy of a caller's key (checked). */
  private entry(key: string, version: number | undefined) {
    checkKey(key);
    return scopedEntry(this.engine, key, this.versions.suffix(key, version));
  }

  private ttlMs(ttl: Duration | undefined): number {
    return ttlMsOf(ttl, this.engine.options.defaultTtlMs);
  }

  private readonly tagKeys = (tags: readonly string[] | undefined) =>
    tagKeysOf(this.engine, tags);

  private invalidate(counts: InvalidationCounts, inv: Invalidation) {
    return countedInvalidation(this.engine, counts, inv);
  }

  /** The value stored at `key`, or `undefined` on a miss (a stored `null` is `null`). */
  async get<T = unknown>(
    key: string,
    options?: CacheEntryOptions,
  ): Promise<T | undefined> {
    const { key: full } = this.entry(key, options?.version);
    return readOne<T>(this.engine, full);
  }

  /**
   * Stores `value` (this version's entry of `key`; other versions' are left
   * alone). Rejects with `UnencodableValueError` for a value the codec
   * cannot represent; resolves to `false` when the value is too large or the
   * store unavailable (the key is then invalidated once it is back).
   */
  async set<T>(
    key: string,
    value: T,
    options?: CacheSetOptions,
  ): Promise<boolean> {
    const entry = this.entry(key, options?.version);
    const ttlMs = this.ttlMs(options?.ttl);
    const tagKeys = [...this.tagKeys(options?.tags), ...entry.tagKeys];
    const payload = encodeValue(value);
    if (!this.engine.fitsSize(entry.key, payload)) return false;
    return this.engine.put(entry.key, payload, ttlMs, tagKeys);
  }

  /**
   * Deletes one key or several, with every version's and every principal's
   * copy of them; resolves to how many entries at the keys themselves
   * existed (0 while deferred by an outage).
   */
  async delete(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    if (list.length === 0) return 0;
    list.forEach(checkKey);
    const inv = keysInvalidation(this.engine, list);
    return (await this.invalidate({ key: list.length }, inv)).deleted;
  }

  /** Whether `key` holds a fresh entry (of this version). */
  async exists(key: string, options?: CacheEntryOptions): Promise<boolean> {
    return (await this.get(key, options)) !== undefined;
  }

  /**
   * Deletes every key under the prefix that matches `pattern`, by SCAN and
   * UNLINK in batches (never KEYS), with the scoped copies (versions,
   * principals) of every key it matches. Only `*` is a wildcard; `?`, `[`,
   * `]` and `\` match themselves. Resolves to how many were deleted.
   */
  async deletePattern(pattern: string): Promise<number> {
    checkKey(pattern);
    const globs = patternGlobs(this.engine, pattern);
    return (await this.invalidate({ pattern: 1 }, { globs })).deleted;
  }

  /** Several values (of this version) in one round trip, `undefined` for each miss. */
  async mget<T = unknown>(
    keys: readonly string[],
    options?: CacheEntryOptions,
  ): Promise<(T | undefined)[]> {
    const full = versionedEntries(
      this.engine,
      this.versions,
      keys,
      options?.version,
    ).map((e) => e.key);
    return readMany<T>(this.engine, full);
  }

  /**
   * Stores several values, all with the same TTL, in one round trip (copies
   * of a version other than 1 are written one by one, at the same time).
   */
  async mset(
    entries:
      | Readonly<Record<string, unknown>>
      | readonly (readonly [string, unknown])[],
    options?: { ttl?: Duration } & CacheEntryOptions,
  ): Promise<boolean> {
    const list = Array.isArray(entries)
      ? (entries as readonly (readonly [string, unknown])[])
      : Object.entries(entries);
    const scoped = versionedEntries(
      this.engine,
      this.versions,
      list.map(([k]) => k),
      options?.version,
    );
    return writeMany(
      this.engine,
      scoped,
      list.map(([, v]) => v),
      this.ttlMs(options?.ttl),
    );
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
      const entry = this.entry(key, options?.version);
      const ttlMs = this.ttlMs(options?.ttl);
      const tagKeys = [...this.tagKeys(options?.tags), ...entry.tagKeys];
      const grace = graceOf(options, this.engine.options.grace);
      return this.engine.getOrLoad(
        entry.key,
        tagKeys,
        async () => loader(),
        loaderPolicy<T>(ttlMs, options?.cacheNullish ?? true, grace),
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

  /** Invalidates every entry with one of these tags, O(1) per tag (softly: see the options); `false`: not confirmed yet, replayed later. */
  async invalidateTags(
    tags: readonly string[],
    options?: CacheInvalidateTagsOptions,
  ): Promise<boolean> {
    const tagKeys = this.tagKeys(tags);
    const inv = options?.soft ? { tagKeys, softTagKeys: tagKeys } : { tagKeys };
    return (await this.invalidate({ tag: tagKeys.length }, inv)).applied;
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
    if (!ok(r)) throw CacheUnavailableError.create('info');
    return {
      ...r,
      stats: this.engine.stats.snapshot(),
      breakerOpen: this.engine.guarded.isOpen,
      pendingInvalidations: this.engine.pendingInvalidations,
    };
  }

  /**
   * This process's counters since start-up: requests by namespace and tier
   * (with the hit rate), loads and their time, invalidations by kind, the
   * breaker, the in-process tier's size. No I/O.
   *
   * @example
   * const { namespaces } = cache.stats();
   * console.log(namespaces.term?.hitRate, namespaces.term?.loads);
   */
  stats(): CacheStatistics {
    return statisticsOf(this.engine);
  }

  /** Deletes every key under this cache's prefix, and nothing else. */
  async clear(): Promise<number> {
    const inv = { globs: [this.engine.allGlob()] };
    return (await this.invalidate({ clear: 1 }, inv)).deleted;
  }
}
