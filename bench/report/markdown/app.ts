import { fmtNum, fmtRatio, fmtSpread } from '../format.js';
import type { AppResults } from '../results.js';
import { breakdown, table } from './table.js';

export function appSections(app: AppResults): string[] {
  const out: string[] = [];
  const t = app.seedTable;
  if (t) {
    out.push(
      '',
      '## The seed’s table (service level, no HTTP)',
      '',
      `The API services’ PostgreSQL queries against a hit of the same value through \`CacheService.getOrSet\` (the API’s key and tag), on Redis and in memory. ${t.keys} keys per operation, all primed; latency one call at a time, ops/s with ${t.concurrency} calls in flight. Speed-up: PostgreSQL mean latency / hit mean latency (ops/s ratio beside it).`,
      '',
    );
    const label = {
      postgres: 'PostgreSQL',
      redis: 'hit, Redis',
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
              : `${fmtNum(row.speedup[c.backend], 1)}×`,
            c.backend === 'postgres'
              ? '1×'
              : `${fmtNum(row.throughputSpeedup[c.backend], 1)}×`,
            c.backend === 'redis'
              ? `${fmtNum(row.claim, row.claim % 1 ? 1 : 0)}×`
              : '',
          ]),
        ),
      ),
    );
  }
  const m = app.mixedWorkload;
  if (m) {
    const pct = (x: number) =>
      Number.isFinite(x) ? `${fmtNum(x * 100, 1)}%` : '–';
    out.push(
      '',
      `## Mixed workload through the API (Zipf s = ${fmtNum(m.zipfS, 1)}, ${fmtNum(m.writeShare * 100, 0)}% writes, ${m.connections} connections)`,
      '',
      `The API (AppModule on Fastify, pinned like the bench servers) with its Redis cache and without any cache, on the same data; ${m.warmupSec} s of warm-up each, then rounds interleaved; medians over rounds with (min–max). Hit rate: X-Cache answers of the GETs (HIT / all), over all measured rounds. The cache starts empty at the warm-up, so the hit rate climbs with time: warm-up ${pct(m.warmup.hitRate)} (${fmtNum(m.warmup.requests)} requests), then by round ${m.rounds
        .filter((x) => x.mode === 'cache')
        .map((x) => pct(x.hitRate))
        .join(', ')}.`,
      '',
    );
    out.push(
      table(
        [
          'API',
          'req/s',
          'p50 ms',
          'p99 ms',
          'hit rate',
          'API CPU µs/req',
          'PostgreSQL CPU µs/req',
          'Redis cmds/req',
          'non-2xx',
        ],
        m.summaries.map((x) => [
          x.mode === 'cache' ? 'with cache (Redis)' : 'without cache',
          fmtSpread(x.rps),
          fmtSpread(x.p50Ms, 2),
          fmtSpread(x.p99Ms, 2),
          x.mode === 'cache'
            ? `${pct(x.hitRateOverall)} (rounds ${pct(x.hitRate.min)}–${pct(x.hitRate.max)})`
            : '–',
          fmtSpread(x.cpuUsPerReq, 1),
          fmtSpread(x.dbCpuUsPerReq, 1),
          fmtNum(x.redisCmdsPerReq.median, 2),
          fmtNum(x.non2xx),
        ]),
      ),
      '',
      `Cache / no cache, paired per round: req/s ${fmtRatio(m.rpsRatio)}, p99 ${fmtRatio(m.p99Ratio)}.`,
    );
    const cache = m.summaries.find((x) => x.mode === 'cache');
    const none = m.summaries.find((x) => x.mode === 'no-cache');
    if (cache?.redisCmdsBreakdown)
      out.push(
        '',
        `Redis commands per request with cache (commandstats, script-internal ones included; the API-key lookup is one cached call per request): ${breakdown(cache.redisCmdsBreakdown)}.`,
      );
    out.push('');
    out.push(
      table(
        [
          'Request',
          'share',
          'hit rate (cache)',
          'mean ms (cache)',
          'mean ms (no cache)',
        ],
        m.mix.map((k) => {
          const c = cache?.byKind.find((x) => x.kind === k.kind);
          const n = none?.byKind.find((x) => x.kind === k.kind);
          const cacheable = c ? c.hits + c.misses + c.bypasses : 0;
          return [
            k.kind,
            `${fmtNum(k.share * 100, 1)}%`,
            c && cacheable ? pct(c.hits / cacheable) : '–',
            fmtNum(c?.meanMs ?? NaN, 2),
            fmtNum(n?.meanMs ?? NaN, 2),
          ];
        }),
      ),
    );
  }
  return out;
}
