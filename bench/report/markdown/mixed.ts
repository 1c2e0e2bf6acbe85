import { fmtNum, fmtRatio, fmtSpread } from '../format.js';
import type {
  MixedMode,
  MixedModeSummary,
  MixedWorkloadResults,
} from '../results.js';
import { breakdown, table } from './table.js';

/** How the report names each API of the mixed workload. */
export const MIXED_LABELS: Record<MixedMode, string> = {
  l1: 'Redis + L1',
  redis: 'Redis only (L1 off)',
  'no-cache': 'without cache',
  cache: 'with cache (Redis)',
};

const pct = (x: number) =>
  Number.isFinite(x) ? `${fmtNum(x * 100, 1)}%` : '–';

/** L1 and Redis hits as shares of the route requests the cache counted. */
export function tierShares(x: MixedModeSummary): string {
  const t = x.tierHits;
  if (!t || t.requests === 0) return '–';
  return ['l1', 'redis', 'memory']
    .filter((tier) => t.hits[tier] !== undefined)
    .map(
      (tier) =>
        `${tier === 'l1' ? 'L1' : tier === 'redis' ? 'Redis' : tier} ${pct((t.hits[tier] ?? 0) / t.requests)}`,
    )
    .join(', ');
}

export function mixedSection(m: MixedWorkloadResults): string[] {
  const out: string[] = [];
  const cachedRounds = (mode: MixedMode) =>
    m.rounds
      .filter((x) => x.mode === mode)
      .map((x) => pct(x.hitRate))
      .join(', ');
  const warmups = m.warmups ?? [{ mode: 'cache' as const, ...m.warmup }];
  out.push(
    '',
    `## Mixed workload through the API (Zipf s = ${fmtNum(m.zipfS, 1)}, ${fmtNum(m.writeShare * 100, 0)}% writes, ${m.connections} connections)`,
    '',
    `The API (AppModule on Fastify, pinned like the bench servers) ${m.warmups ? 'with Redis and its in-process tier, with Redis only, and without any cache' : 'with its Redis cache and without any cache'}, on the same data; ${m.warmupSec} s of warm-up each, then rounds interleaved; medians over rounds with (min–max). Hit rate: X-Cache answers of the GETs (HIT / all), over all measured rounds. The cache starts empty at the warm-up, so the hit rate climbs with time: ${warmups.map((w) => `${MIXED_LABELS[w.mode]}: warm-up ${pct(w.hitRate)} (${fmtNum(w.requests)} requests), then by round ${cachedRounds(w.mode)}`).join('; ')}. Hits by tier: the API's \`lexikon_cache_requests_total{result="hit"}\` by \`tier\` (from its \`/metrics\`, around each round) over the route entries it counted (not the API-key lookup). Round trips: a MONITOR probe after the rounds (commands as clients sent them; script-internal ones apart).`,
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
        'hits by tier',
        'API CPU µs/req',
        'PostgreSQL CPU µs/req',
        'Redis cmds/req',
        'Redis round trips/req',
        'non-2xx',
      ],
      m.summaries.map((x) => [
        MIXED_LABELS[x.mode],
        fmtSpread(x.rps),
        fmtSpread(x.p50Ms, 2),
        fmtSpread(x.p99Ms, 2),
        x.mode === 'no-cache'
          ? '–'
          : `${pct(x.hitRateOverall)} (rounds ${pct(x.hitRate.min)}–${pct(x.hitRate.max)})`,
        tierShares(x),
        fmtSpread(x.cpuUsPerReq, 1),
        fmtSpread(x.dbCpuUsPerReq, 1),
        fmtNum(x.redisCmdsPerReq.median, 2),
        x.roundTrips ? fmtNum(x.roundTrips.roundTripsPerReq, 2) : '–',
        fmtNum(x.non2xx),
      ]),
    ),
    '',
  );
  if (m.vsNoCache)
    out.push(
      `Against no cache, paired per round: ${m.vsNoCache.map((r) => `${MIXED_LABELS[r.mode]} req/s ${fmtRatio(r.rps)}, p99 ${fmtRatio(r.p99)}`).join('; ')}.`,
    );
  else if (m.rpsRatio && m.p99Ratio)
    out.push(
      `Cache / no cache, paired per round: req/s ${fmtRatio(m.rpsRatio)}, p99 ${fmtRatio(m.p99Ratio)}.`,
    );
  const cached = m.summaries.filter((x) => x.mode !== 'no-cache');
  for (const x of cached) {
    out.push(
      '',
      `${MIXED_LABELS[x.mode]}: Redis commands per request (commandstats, script-internal ones included; the API-key lookup is one cached call per request): ${breakdown(x.redisCmdsBreakdown)}.${x.roundTrips ? ` MONITOR probe (${fmtNum(x.roundTrips.requests)} requests, ${x.roundTrips.connections} connections): ${fmtNum(x.roundTrips.roundTripsPerReq, 2)} round trips per request (${breakdown(x.roundTrips.clientCommands)}), ${fmtNum(x.roundTrips.scriptCmdsPerReq, 2)} commands inside scripts.` : ''}`,
    );
  }
  out.push('');
  out.push(
    table(
      [
        'Request',
        'share',
        ...cached.map((x) => `hit rate (${MIXED_LABELS[x.mode]})`),
        ...m.summaries.map((x) => `mean ms (${MIXED_LABELS[x.mode]})`),
      ],
      m.mix.map((k) => [
        k.kind,
        `${fmtNum(k.share * 100, 1)}%`,
        ...cached.map((x) => {
          const c = x.byKind.find((y) => y.kind === k.kind);
          const cacheable = c ? c.hits + c.misses + c.bypasses : 0;
          return c && cacheable ? pct(c.hits / cacheable) : '–';
        }),
        ...m.summaries.map((x) =>
          fmtNum(x.byKind.find((y) => y.kind === k.kind)?.meanMs ?? NaN, 2),
        ),
      ]),
    ),
  );
  return out;
}
