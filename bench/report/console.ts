import { ADAPTERS, variant } from '../variants/registry.js';
import { fmtNum, fmtRatio } from './format.js';
import { firstWrites, fmtAdded } from './markdown/coherence.js';
import { MIXED_LABELS, tierShares } from './markdown/mixed.js';
import { httpGzipLines } from './markdown/http-gzip.js';
import { overloadLines } from './markdown/overload.js';
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
      'The seed’s table, mean latency one call at a time: PostgreSQL → Redis hit → Redis + L1 hit → memory hit',
    );
    for (const row of seed.rows) {
      const ms = (b: string) =>
        fmtNum(
          row.cells.find((c) => c.backend === b)?.sequential.meanMs ?? NaN,
          3,
        );
      lines.push(
        `  ${row.label.padEnd(14)} ${ms('postgres')} ms → ${ms('redis')} ms (${fmtNum(row.speedup.redis, 1)}×) → ${ms('l1')} ms (${fmtNum(row.speedup.l1 ?? NaN, 1)}×) → ${ms('memory')} ms (${fmtNum(row.speedup.memory, 0)}×); claim ${fmtNum(row.claim, 1)}×`,
      );
    }
    lines.push('');
  }
  const mixed = r.app?.mixedWorkload;
  if (mixed) {
    lines.push(
      `Mixed workload (Zipf s=${mixed.zipfS}, ${fmtNum(mixed.writeShare * 100, 0)}% writes):`,
    );
    for (const x of mixed.summaries) {
      const cached = x.mode !== 'no-cache';
      const vs = mixed.vsNoCache?.find((v) => v.mode === x.mode);
      lines.push(
        `  ${MIXED_LABELS[x.mode].padEnd(20)} ${fmtNum(x.rps.median)} req/s${vs ? ` (${fmtRatio(vs.rps)} no cache)` : ''}, p50 ${fmtNum(x.p50Ms.median, 1)} ms, p99 ${fmtNum(x.p99Ms.median, 1)} ms, API ${fmtNum(x.cpuUsPerReq.median, 1)} µs CPU/req${cached ? `, hit rate ${fmtNum(x.hitRateOverall * 100, 1)}% (${tierShares(x)}), Redis ${fmtNum(x.redisCmdsPerReq.median, 2)} cmds/req, ${x.roundTrips ? fmtNum(x.roundTrips.roundTripsPerReq, 2) : '–'} round trips/req` : ''}`,
      );
    }
    lines.push('');
  }
  const coh = r.coherence;
  if (coh) {
    lines.push(
      `Coherence, write latency the tier adds (invalidateTags, p50 / p99; one stalled: first write, bound lease + margin ${fmtNum(coh.boundMs / 1000, 1)} s):`,
    );
    for (const x of coh.rows) {
      const h = x.healthy;
      const s = x.stalled;
      lines.push(
        `  ${String(x.instances).padStart(2)} instance(s): ${fmtAdded(h.addedP50Ms)} / ${fmtAdded(h.addedP99Ms)} ms; one stalled: first write ${firstWrites(s.firstWriteMs)} (${s.withinBound ? 'met' : 'NOT MET'}), then ${fmtAdded(s.steady.addedP50Ms)} / ${fmtAdded(s.steady.addedP99Ms)} ms`,
      );
    }
    lines.push('');
  }
  if (r.overload) {
    lines.push(
      `Overload (Redis stopped ${r.overload.pausedMs} ms / running ${r.overload.runningMs} ms × ${r.overload.cycles}):`,
      ...overloadLines(r.overload),
      '',
    );
  }
  if (r.httpGzip) {
    lines.push(
      `A ${fmtNum(r.httpGzip.jsonBytes / 1024, 1)} KB JSON answer, hits (${r.httpGzip.adapter}):`,
      ...httpGzipLines(r.httpGzip),
      '',
    );
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
