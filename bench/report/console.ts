import { ADAPTERS, variant } from '../variants/registry.js';
import { fmtNum, fmtRatio } from './format.js';
import type { BenchResults } from './results.js';

/** The end-of-run summary on stdout: ratios first, then the targets. */
export function renderConsoleSummary(r: BenchResults): string {
  const lines: string[] = [''];
  const tp = r.throughput;
  if (tp) {
    const adapters = ADAPTERS.filter((a) =>
      tp.ratios.some((x) => x.adapter === a),
    );
    lines.push(
      `Ratios, req/s (CPU µs/req), median of ${String(r.settings.rounds)} round(s): ${adapters.join(' | ')}`,
    );
    for (const name of new Set(tp.ratios.map((x) => x.name))) {
      const first = tp.ratios.find((x) => x.name === name);
      if (!first) continue;
      const label = `${name} ${variant(first.numerator).label} / ${variant(first.denominator).label}`;
      const cells = adapters.map((a) => {
        const x = tp.ratios.find((y) => y.name === name && y.adapter === a);
        return x ? `${fmtRatio(x.rps)} (CPU ${fmtNum(x.cpu.median, 2)}×)` : '–';
      });
      lines.push(`  ${label.padEnd(62)} ${cells.join(' | ')}`);
    }
    lines.push('');
  }
  const seed = r.app?.seedTable;
  if (seed) {
    lines.push(
      'The seed’s table, mean latency one call at a time: PostgreSQL → Redis hit → memory hit',
    );
    for (const row of seed.rows) {
      const ms = (b: string) =>
        fmtNum(
          row.cells.find((c) => c.backend === b)?.sequential.meanMs ?? NaN,
          3,
        );
      lines.push(
        `  ${row.label.padEnd(14)} ${ms('postgres')} ms → ${ms('redis')} ms (${fmtNum(row.speedup.redis, 1)}×) → ${ms('memory')} ms (${fmtNum(row.speedup.memory, 0)}×); claim ${fmtNum(row.claim, 1)}×`,
      );
    }
    lines.push('');
  }
  const mixed = r.app?.mixedWorkload;
  if (mixed) {
    lines.push(
      `Mixed workload (Zipf s=${mixed.zipfS}, ${fmtNum(mixed.writeShare * 100, 0)}% writes):`,
    );
    for (const x of mixed.summaries)
      lines.push(
        `  ${(x.mode === 'cache' ? 'with cache' : 'without cache').padEnd(14)} ${fmtNum(x.rps.median)} req/s, p99 ${fmtNum(x.p99Ms.median, 1)} ms${x.mode === 'cache' ? `, hit rate ${fmtNum(x.hitRateOverall * 100, 1)}%` : ''}`,
      );
    lines.push('');
  }
  lines.push('Targets (Fastify):');
  for (const t of r.targets) {
    const state = t.met === null ? 'n/a    ' : t.met ? 'MET    ' : 'NOT MET';
    lines.push(`  [${state}] ${t.target}`);
    lines.push(
      `            measured: ${t.measured}${t.note ? ` — ${t.note}` : ''}`,
    );
  }
  if (r.problems.length) {
    lines.push('', 'Problems:', ...r.problems.map((p) => `  - ${p}`));
  }
  lines.push('');
  return lines.join('\n');
}
