import {
  CACHE_RESULTS,
  requestSlot,
  CACHE_TIERS,
  INVALIDATION_KINDS,
  type CacheMetrics,
  type CacheRequestResult,
  type CacheTierLabel,
  type InvalidationKind,
} from './cache-metrics.js';

/**
 * One namespace's requests and loads since start-up, as `CacheService.stats()`
 * reports them.
 *
 * @example
 * const { hitRate, loads } = (await cache.stats()).namespaces.term;
 */
export interface CacheNamespaceStatistics {
  /** Every request counted once: `hits + misses + stale + bypasses + errors`. */
  readonly requests: number;
  /** Answered without running their loader (a tier's entry, or a joined load). */
  readonly hits: number;
  /** Their loader ran. */
  readonly misses: number;
  /** An expired entry was served. */
  readonly stale: number;
  /** The store was not asked (breaker open, invalidations pending). */
  readonly bypasses: number;
  /** The store failed or timed out. */
  readonly errors: number;
  /** `hits / requests`, 0 before the first request. */
  readonly hitRate: number;
  /** The same counts by the tier that answered (`l1`, `redis`, `memory`). */
  readonly tiers: Readonly<
    Partial<
      Record<CacheTierLabel, Readonly<Record<CacheRequestResult, number>>>
    >
  >;
  /** Loader calls (one per cold key, however many requests waited for it). */
  readonly loads: number;
  /** Time spent in those loader calls, in seconds. */
  readonly loadSeconds: number;
}

const PER_TIER = CACHE_RESULTS.length;
const LOADS = CACHE_TIERS.length * PER_TIER;
const LOAD_SECONDS = LOADS + 1;
const SLOTS = LOAD_SECONDS + 1;

function summary(counts: readonly number[]): CacheNamespaceStatistics {
  const byResult = CACHE_RESULTS.map((_, r) =>
    CACHE_TIERS.reduce((sum, _t, t) => sum + counts[t * PER_TIER + r], 0),
  );
  const requests = byResult.reduce((a, b) => a + b, 0);
  const tiers: Partial<
    Record<CacheTierLabel, Record<CacheRequestResult, number>>
  > = {};
  CACHE_TIERS.forEach((tier, t) => {
    const row = counts.slice(t * PER_TIER, (t + 1) * PER_TIER);
    if (row.some((n) => n > 0)) {
      tiers[tier] = Object.fromEntries(
        CACHE_RESULTS.map((result, r) => [result, row[r]]),
      ) as Record<CacheRequestResult, number>;
    }
  });
  const [hits, misses, stale, bypasses, errors] = byResult;
  return {
    requests,
    hits,
    misses,
    stale,
    bypasses,
    errors,
    hitRate: requests > 0 ? hits / requests : 0,
    tiers,
    loads: counts[LOADS],
    loadSeconds: counts[LOAD_SECONDS],
  };
}

/** One namespace's counters, and its label. */
export interface NamespaceSlot {
  readonly label: string;
  readonly counts: number[];
}

/**
 * This process's counters by namespace, kept as plain numbers (an increment
 * per request, in the namespace's slot), summed up only when asked for.
 */
export class NamespaceStats implements CacheMetrics {
  private readonly byNamespace = new Map<string, number[]>();
  private readonly invalidations: Record<InvalidationKind, number> = {
    key: 0,
    tag: 0,
    pattern: 0,
    clear: 0,
  };
  /** How many times the breaker opened. */
  breakerOpenings = 0;

  private counts(namespace: string): number[] {
    let counts = this.byNamespace.get(namespace);
    if (counts === undefined) {
      counts = Array.from<number>({ length: SLOTS }).fill(0);
      this.byNamespace.set(namespace, counts);
    }
    return counts;
  }

  /** The slot of a namespace label, for `requestAt`. */
  slot(label: string): NamespaceSlot {
    return { label, counts: this.counts(label) };
  }

  /** `request` in a slot already found: no lookup. */
  requestAt(
    slot: NamespaceSlot,
    tier: CacheTierLabel,
    result: CacheRequestResult,
  ): void {
    slot.counts[requestSlot(tier, result)]++;
  }

  request(
    namespace: string,
    tier: CacheTierLabel,
    result: CacheRequestResult,
  ): void {
    this.counts(namespace)[requestSlot(tier, result)]++;
  }

  load(namespace: string, seconds: number): void {
    const counts = this.counts(namespace);
    counts[LOADS]++;
    counts[LOAD_SECONDS] += seconds;
  }

  storeCall(): void {}

  invalidation(kind: InvalidationKind, n: number): void {
    this.invalidations[kind] += n;
  }

  breaker(open: boolean): void {
    if (open) this.breakerOpenings++;
  }

  namespaces(): Record<string, CacheNamespaceStatistics> {
    const out: Record<string, CacheNamespaceStatistics> = {};
    for (const [namespace, counts] of this.byNamespace)
      out[namespace] = summary(counts);
    return out;
  }

  total(): CacheNamespaceStatistics {
    const sum = Array.from<number>({ length: SLOTS }).fill(0);
    for (const counts of this.byNamespace.values())
      counts.forEach((n, i) => (sum[i] += n));
    return summary(sum);
  }

  invalidationCounts(): Readonly<Record<InvalidationKind, number>> {
    return Object.fromEntries(
      INVALIDATION_KINDS.map((k) => [k, this.invalidations[k]]),
    ) as Record<InvalidationKind, number>;
  }
}
