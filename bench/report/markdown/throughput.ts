import { ADAPTERS, VARIANTS, variant } from '../../variants/registry.js';
import { fmtNum, fmtRatio, fmtSpread } from '../format.js';
import type { ThroughputResults } from '../results.js';
import { breakdown, table, title } from './table.js';

/** The throughput tables per adapter, the paired ratios and the Redis commands per request. */
export function throughputSections(tp: ThroughputResults): string[] {
  const out: string[] = [];
  for (const adapter of ADAPTERS) {
    const rows = tp.summaries.filter((x) => x.adapter === adapter);
    if (!rows.length) continue;
    out.push(
      '',
      `## Throughput, ${title(adapter)}${adapter === 'fastify' ? ' (headline)' : ''}`,
      '',
    );
    const body = VARIANTS.map((v) => {
      const x = rows.find((y) => y.variant === v.id);
      if (!x) {
        return v.pending
          ? [v.number, v.label, v.pending, '', '', '', '', '', '']
          : undefined;
      }
      return [
        v.number,
        v.cached && x.handlerRunsInRounds > 0
          ? `${v.label} ⚠ not all hits: handler ran ${fmtNum(x.handlerRunsInRounds)}×`
          : v.label,
        fmtSpread(x.rps),
        fmtSpread(x.p50Ms, 2),
        fmtSpread(x.p99Ms, 2),
        fmtSpread(x.cpuUsPerReq, 1),
        fmtSpread(x.serverBusyPct, 0, '%'),
        `${fmtNum(x.serverCoreOtherPct.median, 0)}% (max ${fmtNum(x.serverCoreOtherPct.max, 0)}%)`,
        fmtNum(x.redisCmdsPerReq.median, 2),
      ];
    }).filter((row): row is string[] => row !== undefined);
    out.push(
      table(
        [
          '#',
          'Variant',
          'req/s',
          'p50 ms',
          'p99 ms',
          'server CPU µs/req',
          'server core busy',
          'others on server core',
          'Redis cmds/req',
        ],
        body,
      ),
    );
  }
  const v2 = tp.summaries.filter((x) => x.dbCpuUsPerReq);
  if (v2.length) {
    out.push(
      '',
      `Variant 2 also used PostgreSQL CPU (its backends, from \`/proc\`; not pinned, not in the server figures): ${v2.map((x) => `${x.adapter} ${fmtSpread(x.dbCpuUsPerReq ?? { median: NaN, min: NaN, max: NaN, n: 0 }, 1)} µs/req`).join(', ')}.`,
    );
  }
  out.push('', '## Ratios (paired within each round)', '');
  const names = [...new Set(tp.ratios.map((x) => x.name))];
  const adapters = ADAPTERS.filter((a) =>
    tp.ratios.some((x) => x.adapter === a),
  );
  out.push(
    table(
      [
        'Ratio',
        ...adapters.flatMap((a) => [
          `${title(a)} req/s`,
          `${title(a)} CPU/req`,
        ]),
      ],
      names.map((n) => {
        const first = tp.ratios.find((x) => x.name === n);
        const label = first
          ? `${n}: ${variant(first.numerator).label} / ${variant(first.denominator).label}`
          : n;
        return [
          label,
          ...adapters.flatMap((a) => {
            const x = tp.ratios.find((y) => y.name === n && y.adapter === a);
            return x ? [fmtRatio(x.rps), fmtRatio(x.cpu)] : ['–', '–'];
          }),
        ];
      }),
    ),
  );
  out.push(
    '',
    'Redis commands per request during the rounds (INFO commandstats; commands run inside Lua scripts count too):',
    '',
  );
  out.push(
    table(
      [
        'Adapter',
        'Variant',
        'commands per request',
        'handler runs during rounds',
      ],
      tp.summaries
        .filter(
          (x) => variant(x.variant).usesRedis || variant(x.variant).cached,
        )
        .map((x) => [
          x.adapter,
          `${variant(x.variant).number} ${variant(x.variant).label}`,
          breakdown(x.redisCmdsBreakdown),
          String(x.handlerRunsInRounds),
        ]),
    ),
  );
  return out;
}
