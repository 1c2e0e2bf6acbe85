import type {
  EarlyRefresh,
  LoaderTimeouts,
} from '../core/options/grace-options.js';
import type { CacheStatsSnapshot } from '../core/engine/cache-stats.js';
import type { InvalidationKind } from '../core/metrics/cache-metrics.js';
import type { CacheNamespaceStatistics } from '../core/metrics/namespace-stats.js';
import type { CacheStoreInfo } from '../core/store/cache-store.js';
import type { Duration } from '../core/time/duration.js';

/**
 * Which entry of a key a call addresses.
 *
 * @example
 * await cache.get<TermV2>('term:1', { version: 2 });
 */
export interface CacheEntryOptions {
  /**
   * Schema version of the entry (a positive integer). Default: the
   * module's `versions` for the key's namespace, else its `version` (1, the
   * key itself). Entries of another version are never read.
   */
  version?: number;
}

/**
 * Options of `CacheService.set()`.
 *
 * @example
 * await cache.set('user:1', user, { ttl: '5m', tags: ['team:7'] });
 */
export interface CacheSetOptions extends CacheEntryOptions {
  /** Lifetime: ms, or a string with its unit (`'5m'`). Default: the module's `defaultTtl`. */
  ttl?: Duration;
  /** Tags whose invalidation also invalidates this entry. */
  tags?: readonly string[];
}

/**
 * Options of `CacheService.getOrSet()`.
 *
 * @example
 * await cache.getOrSet('user:1', load, { ttl: '5m', cacheNullish: false });
 */
export interface CacheGetOrSetOptions extends CacheSetOptions {
  /** Store a `null`/`undefined` result too (default true). */
  cacheNullish?: boolean;
  /**
   * How long the entry is kept past its TTL, returned instead of the
   * loader's error or timeout; never after an invalidation reached it.
   * `false`: none. Default: the module's `grace`.
   */
  grace?: Duration | false;
  /** Time limits of the loader (see `LoaderTimeouts`). `false`: none. Default: the module's. */
  timeouts?: LoaderTimeouts | false;
  /** How long past its TTL the entry is returned at once while one reload refreshes it. `false`: none. */
  staleWhileRevalidate?: Duration | false;
  /** Refresh the entry in the background before its TTL (see `EarlyRefresh`). `false`: off. Default: the module's. */
  earlyRefresh?: EarlyRefresh;
}

/**
 * Options of `CacheService.invalidateTags()`.
 *
 * @example
 * await cache.invalidateTags(['stats'], { soft: true });
 */
export interface CacheInvalidateTagsOptions {
  /**
   * Outdate the tags' entries instead of dropping them, for data allowed to
   * lag: they are never served fresh again (a read reloads them), but an
   * entry with a grace period is served stale, as past its TTL, when its
   * reload fails or is slow. The in-process tier drops them. A hard
   * invalidation of the tag later is absolute. Default false.
   */
  soft?: boolean;
}

/**
 * What `CacheService.info()` reports.
 *
 * @example
 * const { usedMemoryMb, stats, breakerOpen } = await cache.info();
 */
export interface CacheInfo extends CacheStoreInfo {
  readonly stats: CacheStatsSnapshot;
  readonly breakerOpen: boolean;
  readonly pendingInvalidations: number;
}

/**
 * What `CacheService.stats()` reports: this process's counters since
 * start-up, the same as the Prometheus metrics count.
 *
 * @example
 * const { namespaces, total, invalidations } = cache.stats();
 * const termHitRate = namespaces.term?.hitRate ?? 0;
 */
export interface CacheStatistics {
  /** By key namespace (a key's text before its first `:`; at most 100 names, then `other`). */
  readonly namespaces: Readonly<Record<string, CacheNamespaceStatistics>>;
  /** Every namespace added up. */
  readonly total: CacheNamespaceStatistics;
  /** Keys, tags and patterns invalidated through `CacheService` and `@CacheInvalidate` (a clear counts 1). */
  readonly invalidations: Readonly<Record<InvalidationKind, number>>;
  readonly breakerOpen: boolean;
  /** How many times the breaker opened. */
  readonly breakerOpenings: number;
  /** The in-process tier's size, when there is one. */
  readonly l1: { readonly entries: number; readonly bytes: number } | undefined;
}
