import { Injectable } from '@nestjs/common';
import { decodeValue, encodeValue } from '../core/codec/value-codec.js';
import {
  CacheEngine,
  DROPPED,
  type EntryPolicy,
} from '../core/engine/cache-engine.js';
import type { CacheStatsSnapshot } from '../core/engine/cache-stats.js';
import {
  CacheUnavailableError,
  InvalidKeyError,
  InvalidTtlError,
  LexikonCacheError,
} from '../core/errors/lexikon-cache.error.js';
import { CacheBatch, type BatchResults } from './cache-batch.js';
import type { CacheStoreInfo } from '../core/store/cache-store.js';

export interface CacheSetOptions {
  /** Seconds; a positive integer. Default: the module's `defaultTtl`. */
  ttl?: number;
  /** Tags whose invalidation also invalidates this entry. */
  tags?: readonly string[];
}

export interface CacheGetOrSetOptions extends CacheSetOptions {
  /** Store a `null`/`undefined` result too (default true). */
  cacheNullish?: boolean;
}

export interface CacheInfo extends CacheStoreInfo {
  readonly stats: CacheStatsSnapshot;
  readonly breakerOpen: boolean;
  readonly pendingInvalidations: number;
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0)
    throw InvalidKeyError.create(key);
}

function checkBy(by: number): void {
  if (!Number.isSafeInteger(by)) {
    throw new LexikonCacheError(
      'WRONG_TYPE',
      `increment needs an integer, got ${String(by)}`,
    );
  }
}

/**
 * The cache: Redis (or process memory) behind a small, fail-safe API. Keys
 * are prefixed, every entry has a TTL, values keep their types (Date, BigInt,
 * Map, Set, Buffer, `null` vs a miss), and a store fault never fails a call:
 * reads miss, writes resolve to `false`, loaders still run.
 *
 * @example
 * constructor(private readonly cache: CacheService) {}
 * const user = await this.cache.getOrSet(`user:${id}`, () => this.repo.findOneBy({ id }), { ttl: 300 });
 */
@Injectable()
export class CacheService {
  private readonly valuePolicies = new Map<number, EntryPolicy<unknown>>();

  constructor(private readonly engine: CacheEngine) {}

  private ttlMs(ttl: number | undefined): number {
    if (ttl === undefined) return this.engine.options.defaultTtl * 1000;
    if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0) {
      throw InvalidTtlError.create(ttl);
    }
    return ttl * 1000;
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
    const outcome = await this.engine.guard(
      'get',
      full,
      () => this.engine.store.read(full, [], 0),
      undefined,
    );
    return typeof outcome === 'string'
      ? this.decode<T>(full, outcome)
      : undefined;
  }

  /**
   * Stores `value` for `ttl` seconds. Throws `UnencodableValueError` for a
   * value the codec cannot represent; resolves to `false` when the value is
   * too large or the store is unavailable.
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
    if (this.engine.pendingInvalidations > 0) return false;
    return this.engine.guard(
      'set',
      full,
      async () => {
        await this.engine.store.write(full, payload, ttlMs, tagKeys);
        return true;
      },
      false,
    );
  }

  /** Deletes one key or several; resolves to how many existed. */
  async delete(keys: string | readonly string[]): Promise<number> {
    const list = typeof keys === 'string' ? [keys] : keys;
    list.forEach(checkKey);
    const full = list.map((k) => this.engine.key(k));
    return this.engine.guard(
      'delete',
      full[0] ?? '',
      () => this.engine.store.delete(full),
      0,
    );
  }

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
    const glob = this.engine.glob(pattern);
    return this.engine.guard(
      'deletePattern',
      this.engine.key(pattern),
      () => this.engine.store.deleteMatching(glob),
      0,
    );
  }

  /** Several values in one round trip, `undefined` for each miss. */
  async mget<T = unknown>(keys: readonly string[]): Promise<(T | undefined)[]> {
    keys.forEach(checkKey);
    if (keys.length === 0) return [];
    const misses = keys.map(() => undefined);
    if (this.engine.pendingInvalidations > 0) return misses;
    const full = keys.map((k) => this.engine.key(k));
    const payloads = await this.engine.guard(
      'mget',
      full[0],
      () => this.engine.store.readMany(full),
      misses,
    );
    return payloads.map((p, i) => this.decode<T>(full[i], p));
  }

  /** Stores several values in one round trip, all with the same TTL. */
  async mset(
    entries:
      | Readonly<Record<string, unknown>>
      | readonly (readonly [string, unknown])[],
    options?: { ttl?: number },
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
    return this.engine.guard(
      'mset',
      encoded[0][0],
      async () => {
        await this.engine.store.writeMany(encoded, ttlMs);
        return true;
      },
      false,
    );
  }

  /**
   * Runs commands as one atomic batch (MULTI-like: all or none interleave
   * with other clients) and returns one outcome per command, by position; a
   * failing command does not stop the others. In Redis Cluster all keys must
   * share a hash slot (`CrossSlotBatchError` otherwise). With the store
   * unavailable every outcome is a failure.
   *
   * @example
   * const [views, last] = await cache.pipeline((b) => b.increment('views').get<Date>('last-visit'));
   * if (views.ok) metrics.record(views.value);
   */
  async pipeline<R extends readonly unknown[]>(
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
    const ops = batch.ops.map((op) => op.build(this.engine.key(op.key)));
    const unavailable = CacheUnavailableError.create('pipeline');
    const fallback = ops.map(() => ({
      ok: false as const,
      error: unavailable,
    }));
    const replies = await this.engine.guard(
      'pipeline',
      ops[0]?.key ?? '',
      () => this.engine.store.batch(ops),
      fallback,
    );
    return replies.map((r, i) => {
      if (!r.ok || ops[i].op !== 'get') return r;
      const payload = r.value as string | undefined;
      return { ok: true, value: this.decode(ops[i].key, payload) };
    }) as unknown as BatchResults<R>;
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
    checkKey(key);
    const ttlMs = this.ttlMs(options?.ttl);
    const tagKeys = this.tagKeys(options?.tags);
    const policy = this.policyFor(
      ttlMs,
      options?.cacheNullish ?? true,
    ) as EntryPolicy<T>;
    return this.engine.getOrLoad(
      this.engine.key(key),
      tagKeys,
      async () => loader(),
      policy,
    );
  }

  private policyFor(
    ttlMs: number,
    cacheNullish: boolean,
  ): EntryPolicy<unknown> {
    const id = cacheNullish ? ttlMs : -ttlMs;
    let policy = this.valuePolicies.get(id);
    if (!policy) {
      policy = {
        ttlMs,
        encode: (value) =>
          cacheNullish || value != null ? encodeValue(value) : undefined,
        decode: decodeValue,
      };
      this.valuePolicies.set(id, policy);
    }
    return policy;
  }

  /**
   * Adds `by` (default 1) to an integer counter, creating it at `by` with the
   * TTL when absent. Throws `CacheWrongTypeError` when the key holds another
   * value; resolves to `undefined` when the store is unavailable.
   */
  async increment(
    key: string,
    by = 1,
    options?: { ttl?: number },
  ): Promise<number | undefined> {
    checkKey(key);
    checkBy(by);
    const ttlMs = this.ttlMs(options?.ttl);
    const full = this.engine.key(key);
    return this.engine.guard(
      'increment',
      full,
      () => this.engine.store.increment(full, by, ttlMs),
      undefined,
    );
  }

  /** Invalidates every entry stored with one of these tags, in O(1) per tag. */
  invalidateTags(tags: readonly string[]): Promise<boolean> {
    return this.engine.invalidate({ tagKeys: this.tagKeys(tags) });
  }

  /**
   * True when the store answers a PING within `timeoutMs` (default 1000); in
   * a cluster, every master, and CLUSTER INFO. For a Terminus readiness
   * check with details, use `RedisHealthIndicator`.
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
    let store: CacheStoreInfo;
    try {
      store = await this.engine.store.info();
    } catch (err) {
      throw new CacheUnavailableError(
        'UNAVAILABLE',
        'info: the cache store is unavailable',
        {
          cause: err,
        },
      );
    }
    return {
      ...store,
      stats: this.engine.stats.snapshot(),
      breakerOpen:
        this.engine.bypassing && this.engine.pendingInvalidations === 0,
      pendingInvalidations: this.engine.pendingInvalidations,
    };
  }

  /** Deletes every key under this cache's prefix, and nothing else. */
  async clear(): Promise<number> {
    return this.engine.guard(
      'clear',
      this.engine.prefix,
      () => this.engine.store.deleteMatching(this.engine.glob('*')),
      0,
    );
  }
}

const VALUE_POLICY: EntryPolicy<unknown> = {
  ttlMs: 0,
  encode: encodeValue,
  decode: decodeValue,
};
