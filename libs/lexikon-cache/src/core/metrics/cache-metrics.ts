/**
 * The tier that answered a cache request: the in-process tier, or the store
 * (Redis, or the in-process memory store).
 *
 * @example
 * const tier: CacheTierLabel = 'redis';
 */
export type CacheTierLabel = 'l1' | 'redis' | 'memory';

/**
 * How a cache request was answered. `hit`: without running its own loader
 * (an entry of a tier, or the value of a load another request had in
 * flight, which it joined); `miss`: its loader ran; `stale`: an expired
 * entry was served (grace periods); `bypass`: the store was not asked (the
 * breaker open, or invalidations waiting to be replayed); `error`: the store
 * failed or timed out. The loader runs for `bypass` and `error` too.
 *
 * @example
 * const result: CacheRequestResult = 'hit';
 */
export type CacheRequestResult = 'hit' | 'miss' | 'stale' | 'bypass' | 'error';

/**
 * What an invalidation named: keys, tags, patterns, or everything (`clear()`).
 *
 * @example
 * const kind: InvalidationKind = 'tag';
 */
export type InvalidationKind = 'key' | 'tag' | 'pattern' | 'clear';

export const CACHE_TIERS: readonly CacheTierLabel[] = ['l1', 'redis', 'memory'];
export const CACHE_RESULTS: readonly CacheRequestResult[] = [
  'hit',
  'miss',
  'stale',
  'bypass',
  'error',
];
const TIER_INDEX: Record<CacheTierLabel, number> = {
  l1: 0,
  redis: 1,
  memory: 2,
};
const RESULT_INDEX: Record<CacheRequestResult, number> = {
  hit: 0,
  miss: 1,
  stale: 2,
  bypass: 3,
  error: 4,
};

/** Where (tier, result) counts in a flat array of every tier's results, in CACHE_TIERS × CACHE_RESULTS order. */
export function requestSlot(
  tier: CacheTierLabel,
  result: CacheRequestResult,
): number {
  return TIER_INDEX[tier] * CACHE_RESULTS.length + RESULT_INDEX[result];
}

export const INVALIDATION_KINDS: readonly InvalidationKind[] = [
  'key',
  'tag',
  'pattern',
  'clear',
];

/**
 * What the cache records, by namespace label (already bounded): the in-process
 * statistics implement it, and so does the Prometheus adapter. Every method
 * is called on the request path and must stay cheap: no I/O, no clock.
 */
export interface CacheMetrics {
  /** One cache request, counted once, by the tier and result that answered it. */
  request(
    namespace: string,
    tier: CacheTierLabel,
    result: CacheRequestResult,
  ): void;
  /** One loader call and how long it ran. */
  load(namespace: string, seconds: number): void;
  /** One store call (`read`, `fill`, `invalidate`, …) and how long it took. */
  storeCall(op: string, seconds: number): void;
  /** `n` keys, tags or patterns invalidated (1 for a clear). */
  invalidation(kind: InvalidationKind, n: number): void;
  /** The circuit breaker opened or closed. */
  breaker(open: boolean): void;
}

/** Records nothing. */
export const NO_METRICS: CacheMetrics = {
  request: () => undefined,
  load: () => undefined,
  storeCall: () => undefined,
  invalidation: () => undefined,
  breaker: () => undefined,
};
