import { fmtNum } from '../format.js';
import type { OverloadPhase, OverloadResults } from '../results.js';
import { table } from './table.js';

const PHASES: Record<OverloadPhase['phase'], string> = {
  healthy: 'healthy',
  slow: 'Redis slowed',
  recovery: 'recovery',
  'no-cache': 'control: no cache',
};

const pct = (x: number) =>
  Number.isFinite(x) ? `${fmtNum(x * 100, 0)}%` : '–';

function breaker(p: OverloadPhase): string {
  if (p.phase === 'no-cache') return '–';
  const closed =
    p.breakerClosedAfterMs === undefined
      ? ''
      : `; closed ${fmtNum(p.breakerClosedAfterMs)} ms in`;
  return `open ${pct(p.breakerOpenShare)} (${fmtNum(p.breakerOpens)} opens, ${fmtNum(p.breakerCloses)} closes${closed})${p.breakerOpenAtEnd ? '; open at the end' : ''}${p.breakerChanges ? ` [${p.breakerChanges}]` : ''}`;
}

/** One line per phase, for the console summary. */
export function overloadLines(o: OverloadResults): string[] {
  return o.phases.map(
    (p) =>
      `  ${PHASES[p.phase].padEnd(18)} ${fmtNum(p.rps)} req/s, p99 ${fmtNum(p.p99Ms, 1)} ms, non-2xx ${fmtNum(p.non2xx)}, loads ${fmtNum(p.loadsPerSec)}/s (${fmtNum(p.loadsPerReq, 2)}/req), PostgreSQL ${fmtNum(p.pgQueriesPerSec)} queries/s, max ${fmtNum(p.maxInFlightPerKey)} load(s) of one key at once, breaker ${breaker(p)}`,
  );
}

export function overloadSection(o: OverloadResults): string[] {
  const rows = o.phases.map((p) => [
    PHASES[p.phase],
    fmtNum(p.durationSec, 1),
    fmtNum(p.rps),
    `${fmtNum(p.p50Ms, 1)} / ${fmtNum(p.p99Ms, 1)}`,
    `${fmtNum(p.non2xx)} / ${fmtNum(p.errors)}`,
    p.phase === 'no-cache' ? '–' : pct(p.hitRate),
    `${fmtNum(p.loadsPerSec)} (${fmtNum(p.loadsPerReq, 2)})`,
    p.phase === 'no-cache' ? '–' : fmtNum(p.loadsMetric),
    fmtNum(p.pgQueriesPerSec),
    fmtNum(p.dbCpuUsPerReq, 0),
    `**${fmtNum(p.maxInFlightPerKey)}**`,
    fmtNum(p.mostLoadsOfOneKey),
    breaker(p),
  ]);
  const kinds = o.phases.map((p) => [
    PHASES[p.phase],
    Object.entries(p.loadsByKind)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${fmtNum(n)}`)
      .join(', ') || '–',
  ]);
  return [
    '',
    '## Overload: Redis slowed under the API',
    '',
    `The API with its Redis cache (CACHE_L1=false: every hit a Redis read; command timeout ${fmtNum(o.commandTimeoutMs)} ms), ${fmtNum(o.connections)} connections of Zipf (s = ${o.zipfS}) reads, ${fmtNum(o.writeShare * 100, 0)}% writes. Slowed phase: the Redis process stopped (SIGSTOP) ${fmtNum(o.pausedMs)} ms and let run (SIGCONT) ${fmtNum(o.runningMs)} ms, ${fmtNum(o.cycles)} times. Loads are counted in the API process per cache key (bench/server/load-counter.ts); the control is the same load on the API without its cache module.`,
    '',
    table(
      [
        'Phase',
        's',
        'req/s',
        'p50 / p99 ms',
        'non-2xx / errors',
        'hit rate',
        'loads/s (per req)',
        'lexikon_cache_loads_total',
        'PostgreSQL queries/s',
        'PostgreSQL µs CPU/req',
        'max loads of one key at once',
        'most loads of one key',
        'breaker (share of samples open)',
      ],
      rows,
    ),
    '',
    table(['Phase', 'loads by kind'], kinds),
    ...(o.apiWarnings.length
      ? [
          '',
          `API warnings (first distinct): ${o.apiWarnings.map((w) => `\`${w}\``).join('; ')}`,
        ]
      : []),
  ];
}
