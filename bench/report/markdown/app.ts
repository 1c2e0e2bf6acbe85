import { fmtNum } from '../format.js';
import type { AppResults } from '../results.js';
import { mixedSection } from './mixed.js';
import { table } from './table.js';

export function appSections(app: AppResults): string[] {
  const out: string[] = [];
  const t = app.seedTable;
  if (t) {
    out.push(
      '',
      '## The seed’s table (service level, no HTTP)',
      '',
      `The API services’ PostgreSQL queries against a hit of the same value through \`CacheService.getOrSet\` (the API’s key and tag), on Redis${t.rows.some((r) => r.cells.some((c) => c.backend === 'l1')) ? ', on Redis with the in-process tier (L1: the hit never leaves the process)' : ''} and in memory. ${t.keys} keys per operation, all primed; latency one call at a time, ops/s with ${t.concurrency} calls in flight. Speed-up: PostgreSQL mean latency / hit mean latency (ops/s ratio beside it).`,
      '',
    );
    const label = {
      postgres: 'PostgreSQL',
      redis: 'hit, Redis',
      l1: 'hit, Redis + L1',
      memory: 'hit, memory',
    };
    out.push(
      table(
        [
          'Operation',
          'Source',
          'mean ms',
          'p50 ms',
          'p99 ms',
          `ops/s (${t.concurrency} in flight)`,
          'speed-up (latency)',
          'speed-up (ops/s)',
          'claim',
        ],
        t.rows.flatMap((row) =>
          row.cells.map((c) => [
            c.backend === 'postgres'
              ? `${row.label}: ${row.service}, ${fmtNum(row.valueBytes)} B${row.items !== undefined ? ` (${fmtNum(row.items, 1)} items)` : ''}`
              : `${row.label}: key \`${row.cacheKey}\`, tag \`${row.tags}\``,
            `${label[c.backend]}${c.backend !== 'postgres' && c.loaderCallsTimed > 0 ? ` ⚠ ${c.loaderCallsTimed} loads` : ''}${c.dbCpuUsPerCall !== undefined ? ` (+${fmtNum(c.dbCpuUsPerCall, 0)} µs PostgreSQL CPU/call)` : ''}`,
            fmtNum(c.sequential.meanMs, 4),
            fmtNum(c.sequential.p50Ms, 4),
            fmtNum(c.sequential.p99Ms, 4),
            fmtNum(c.concurrent.opsPerSec),
            c.backend === 'postgres'
              ? '1×'
              : `${fmtNum(row.speedup[c.backend] ?? NaN, 1)}×`,
            c.backend === 'postgres'
              ? '1×'
              : `${fmtNum(row.throughputSpeedup[c.backend] ?? NaN, 1)}×`,
            c.backend === 'redis' || c.backend === 'l1'
              ? `${fmtNum(row.claim, row.claim % 1 ? 1 : 0)}×`
              : '',
          ]),
        ),
      ),
    );
  }
  if (app.mixedWorkload) out.push(...mixedSection(app.mixedWorkload));
  return out;
}
