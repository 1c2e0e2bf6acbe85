import type { SeedCacheBackend, TargetResult } from '../results.js';
import { fmtNum } from '../format.js';
import { atLeast, type Inputs, NOT_RUN, notMeasured } from './judge.js';

export { mixedWorkloadTargets } from './mixed.js';

export const SEED_ROWS = [
  ['get-user', 'get user', 7.5],
  ['term-search', 'term search', 15],
  ['project-terms', 'project terms', 25],
] as const;

const SOURCES: readonly [SeedCacheBackend, string, string][] = [
  ['redis', 'a Redis cache hit', 'Redis hit'],
  ['l1', 'a Redis + L1 cache hit', 'L1 hit'],
];
const CACHES = ['redis', 'l1', 'memory'] as const;
const NAMES: Record<SeedCacheBackend, string> = {
  redis: 'Redis',
  l1: 'Redis + L1',
  memory: 'memory',
};

/** The seed's table: a Redis hit, then an L1 hit, against the service's PostgreSQL query, mean latency one call at a time. */
export function seedTableTargets(inputs: Inputs): TargetResult[] {
  const table = inputs.app?.seedTable;
  return SOURCES.flatMap(([backend, what, short]) =>
    SEED_ROWS.map(([id, label, claim]): TargetResult => {
      const tid = backend === 'redis' ? `seed-${id}` : `seed-${backend}-${id}`;
      const target = `the seed’s table${backend === 'l1' ? ' with L1' : ''}, ${label}: ${what} ≥ ${fmtNum(claim, claim % 1 ? 1 : 0)}× faster than PostgreSQL (service level, mean latency)`;
      const row = table?.rows.find((r) => r.id === id);
      const hit = row?.cells.find((c) => c.backend === backend);
      const speedup = row?.speedup[backend];
      if (!row || !hit || speedup === undefined)
        return notMeasured(tid, target, NOT_RUN);
      const pg = row.cells.find((c) => c.backend === 'postgres');
      const others = CACHES.filter(
        (b) => b !== backend && row.speedup[b] !== undefined,
      )
        .map((b) => `${NAMES[b]} hit ${fmtNum(row.speedup[b] ?? NaN, 1)}×`)
        .join(', ');
      const measured = `${fmtNum(speedup, 1)}× (PostgreSQL ${fmtNum(pg?.sequential.meanMs ?? NaN, 3)} ms, ${short} ${fmtNum(hit.sequential.meanMs, 3)} ms; ${others})`;
      const ops = CACHES.filter((b) => row.throughputSpeedup[b] !== undefined)
        .map(
          (b) => `${NAMES[b]} ${fmtNum(row.throughputSpeedup[b] ?? NaN, 1)}×`,
        )
        .join(', ');
      const ref = `ops/s with ${table?.concurrency ?? '?'} in flight: ${ops}`;
      if (hit.loaderCallsTimed > 0)
        return {
          id: tid,
          target,
          measured,
          met: null,
          note: `invalid: the loader ran ${fmtNum(hit.loaderCallsTimed)} times during the timed ${short}s (not all hits)`,
          reference: ref,
        };
      return atLeast(tid, target, claim, speedup, measured, ref);
    }),
  );
}
