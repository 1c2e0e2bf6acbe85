import type { CacheStatsSnapshot } from '../core/engine/cache-stats.js';
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

export interface CacheSetOptions extends CacheEntryOptions {
  /** Lifetime: ms, or a string with its unit (`'5m'`). Default: the module's `defaultTtl`. */
  ttl?: Duration;
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
