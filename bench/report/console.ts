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
