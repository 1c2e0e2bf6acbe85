/** Counters of what the cache did since start-up; cheap enough for the hit path. */
export class CacheStats {
  hits = 0;
  misses = 0;
  /** Calls answered without the store (breaker open or invalidations pending). */
  bypasses = 0;
  loads = 0;
  fills = 0;
  invalidations = 0;
  errors = 0;
  corrupt = 0;
  oversized = 0;
  /** Calls answered with an entry past its TTL, within its grace period. */
  stale = 0;

  snapshot(): CacheStatsSnapshot {
    return {
      hits: this.hits,
      misses: this.misses,
      bypasses: this.bypasses,
      loads: this.loads,
      fills: this.fills,
      invalidations: this.invalidations,
      errors: this.errors,
      corrupt: this.corrupt,
      oversized: this.oversized,
      stale: this.stale,
    };
  }
}

/**
 * This process's cache counters since start-up (hits, misses, bypasses,
 * loads, fills, invalidations, errors, corrupt and oversized entries, stale
 * answers within a grace period), as
 * `CacheService.info()` reports them under `stats`.
 *
 * @example
 * const { stats } = await cache.info();
 * const hitRatio = stats.hits / Math.max(1, stats.hits + stats.misses);
 */
export type CacheStatsSnapshot = {
  readonly [
    K in keyof CacheStats as CacheStats[K] extends number ? K : never
  ]: number;
};
