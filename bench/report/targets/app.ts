import type { TargetResult } from '../results.js';
import { fmtNum, fmtRatio, shortfall } from '../format.js';
import { atLeast, type Inputs, NOT_RUN, notMeasured } from './judge.js';

export const SEED_ROWS = [
  ['get-user', 'get user', 7.5],
  ['term-search', 'term search', 15],
  ['project-terms', 'project terms', 25],
] as const;

/** The seed's table: a Redis hit against the service's PostgreSQL query, mean latency one call at a time. */
export function seedTableTargets(inputs: Inputs): TargetResult[] {
  const table = inputs.app?.seedTable;
  return SEED_ROWS.map(([id, label, claim]) => {
    const target = `the seed’s table, ${label}: a Redis cache hit ≥ ${fmtNum(claim, claim % 1 ? 1 : 0)}× faster than PostgreSQL (service level, mean latency)`;
    const row = table?.rows.find((r) => r.id === id);
    if (!row) return notMeasured(`seed-${id}`, target, NOT_RUN);
    const pg = row.cells.find((c) => c.backend === 'postgres');
    const redis = row.cells.find((c) => c.backend === 'redis');
    const measured = `${fmtNum(row.speedup.redis, 1)}× (PostgreSQL ${fmtNum(pg?.sequential.meanMs ?? NaN, 3)} ms, Redis hit ${fmtNum(redis?.sequential.meanMs ?? NaN, 3)} ms; memory hit ${fmtNum(row.speedup.memory, 0)}×)`;
    const ref = `ops/s with ${table?.concurrency ?? '?'} in flight: Redis ${fmtNum(row.throughputSpeedup.redis, 1)}×, memory ${fmtNum(row.throughputSpeedup.memory, 1)}×`;
    if (redis && redis.loaderCallsTimed > 0)
      return {
        id: `seed-${id}`,
        target,
        measured,
        met: null,
        note: `invalid: the loader ran ${fmtNum(redis.loaderCallsTimed)} times during the timed Redis calls (not all hits)`,
        reference: ref,
      };
    return atLeast(
      `seed-${id}`,
      target,
      claim,
      row.speedup.redis,
      measured,
      ref,
    );
  });
}

/** The mixed workload's hit rate, over every measured round of the cached API. */
export function mixedWorkloadTarget(inputs: Inputs): TargetResult {
  const m = inputs.app?.mixedWorkload;
  const target = `mixed workload through the API (Zipf s = ${fmtNum(m?.zipfS ?? 1, 1)}, ${fmtNum((m?.writeShare ?? 0.05) * 100, 0)}% writes): cache hit rate > 80%`;
  const cache = m?.summaries.find((x) => x.mode === 'cache');
  const none = m?.summaries.find((x) => x.mode === 'no-cache');
  if (!m || !cache) return notMeasured('mixed-hit-rate', target, NOT_RUN);
  const pct = (x: number) => `${fmtNum(x * 100, 1)}%`;
  const measured = `${pct(cache.hitRateOverall)} (per round ${cache.hitRate.n > 1 ? `${pct(cache.hitRate.min)}–${pct(cache.hitRate.max)}` : pct(cache.hitRate.median)})`;
  const reference = none
    ? `vs no cache: ${fmtRatio(m.rpsRatio)} req/s (${fmtNum(cache.rps.median)} vs ${fmtNum(none.rps.median)}), p99 ${fmtNum(cache.p99Ms.median, 1)} vs ${fmtNum(none.p99Ms.median, 1)} ms`
    : undefined;
  if (cache.non2xx > 0 || cache.errors > 0)
    return {
      id: 'mixed-hit-rate',
      target,
      measured,
      met: null,
      note: `invalid: ${fmtNum(cache.non2xx)} non-2xx answers and ${fmtNum(cache.errors)} errors (see Problems)`,
      reference,
    };
  const met = cache.hitRateOverall > 0.8;
  return {
    id: 'mixed-hit-rate',
    target,
    measured,
    met,
    note: met ? '' : shortfall(cache.hitRateOverall * 100, 80, 'atLeast'),
    reference,
  };
}
