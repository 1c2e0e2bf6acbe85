import type { CacheEngine } from '../core/engine/cache-engine.js';
import type {
  Invalidation,
  InvalidationResult,
} from '../core/engine/invalidation.js';
import type { InvalidationCounts } from '../core/metrics/cache-tracer.js';
import type { CacheStatistics } from './cache-service.types.js';

/** `CacheService.stats()`: the engine's in-process counters and state. */
export function statisticsOf(engine: CacheEngine): CacheStatistics {
  const s = engine.metrics.stats;
  return {
    namespaces: s.namespaces(),
    total: s.total(),
    invalidations: s.invalidationCounts(),
    breakerOpen: engine.guarded.isOpen,
    breakerOpenings: s.breakerOpenings,
    l1: engine.tier?.l1.size,
  };
}

/** An invalidation asked for through `CacheService`, counted by what it names (and traced). */
export function countedInvalidation(
  engine: CacheEngine,
  counts: InvalidationCounts,
  inv: Invalidation,
): Promise<InvalidationResult> {
  return engine.metrics.invalidating(counts, () => engine.invalidate(inv));
}
