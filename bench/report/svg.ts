import { ADAPTERS, VARIANTS } from '../variants/registry.js';
import { fmtNum } from './format.js';
import type { BenchResults } from './results.js';

const COLORS: Record<string, string> = {
  fastify: '#2b6cb0',
  express: '#9c4221',
};

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** The smallest 1, 2 or 5 × 10^k step giving at most 5 ticks up to `value`. */
function niceStep(value: number): number {
  const raw = value / 5;
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((m) => m >= raw);
  return step ?? 10 * pow;
}

const px = (v: number) => Math.round(v * 10) / 10;

/** latest.svg: median req/s per variant and adapter, min–max as whiskers. */
export function renderSvg(r: BenchResults): string {
  const summaries = r.throughput?.summaries ?? [];
  const adapters = ADAPTERS.filter((a) =>
    summaries.some((s) => s.adapter === a),
  );
  const variants = VARIANTS.filter((v) =>
    summaries.some((s) => s.variant === v.id),
  );
  const top0 = Math.max(1, ...summaries.map((s) => s.rps.max));
  const step = niceStep(top0);
  const max = Math.ceil(top0 / step) * step;
  const left = 260;
  const width = 960;
  const plot = width - left - 90;
  const bar = 16;
  const group = adapters.length * (bar + 4) + 14;
  const top = 56;
  const height = top + variants.length * group + 50;
  const x = (v: number) => px(left + (v / max) * plot);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="12" y="22" font-size="15" font-weight="bold">${esc(`Throughput, req/s (median; whiskers: min–max over ${String(r.settings.rounds)} round(s)) — ${r.mode} run ${r.startedAt.slice(0, 10)}`)}</text>`,
    `<text x="12" y="40" fill="#555">${esc(`${r.machine.cpuModel}, ${r.machine.nproc} CPUs, Node ${r.machine.node}; ${r.machine.pinning}`)}</text>`,
  ];
  for (let v = 0; v <= max; v += step) {
    parts.push(
      `<line x1="${x(v)}" y1="${top - 4}" x2="${x(v)}" y2="${height - 40}" stroke="#ddd"/>`,
      `<text x="${x(v)}" y="${height - 26}" text-anchor="middle" fill="#555">${fmtNum(v)}</text>`,
    );
  }
  variants.forEach((v, i) => {
    const y0 = top + i * group;
    const notHits = summaries.some(
      (z) => z.variant === v.id && v.cached && z.handlerRunsInRounds > 0,
    );
    parts.push(
      `<text x="${left - 8}" y="${y0 + group / 2}" text-anchor="end" dominant-baseline="middle">${esc(`${v.number}. ${v.label}${notHits ? ' ⚠ not all hits' : ''}`)}</text>`,
    );
    adapters.forEach((a, j) => {
      const s = summaries.find((z) => z.adapter === a && z.variant === v.id);
      if (!s) return;
      const y = y0 + 4 + j * (bar + 4);
      const w = x(s.rps.median) - left;
      parts.push(
        `<rect x="${left}" y="${y}" width="${px(Math.max(w, 1))}" height="${bar}" fill="${COLORS[a]}"/>`,
        `<line x1="${x(s.rps.min)}" y1="${y + bar / 2}" x2="${x(s.rps.max)}" y2="${y + bar / 2}" stroke="#000"/>`,
        `<line x1="${x(s.rps.min)}" y1="${y + 3}" x2="${x(s.rps.min)}" y2="${y + bar - 3}" stroke="#000"/>`,
        `<line x1="${x(s.rps.max)}" y1="${y + 3}" x2="${x(s.rps.max)}" y2="${y + bar - 3}" stroke="#000"/>`,
        `<text x="${x(s.rps.max) + 6}" y="${y + bar / 2}" dominant-baseline="middle">${fmtNum(s.rps.median)}</text>`,
      );
    });
  });
  adapters.forEach((a, j) => {
    const lx = left + j * 110;
    parts.push(
      `<rect x="${lx}" y="${height - 16}" width="12" height="12" fill="${COLORS[a]}"/>`,
      `<text x="${lx + 16}" y="${height - 6}">${a}</text>`,
    );
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}
