import { fmtNum } from '../format.js';
import type { TargetResult } from '../results.js';

export function table(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function metCell(t: TargetResult): string {
  if (t.met === null) return 'not measured';
  return t.met ? '**met**' : '**not met**';
}

export function breakdown(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([cmd, n]) => `${cmd} ${fmtNum(n, 2)}`);
  return parts.length ? parts.join(', ') : '–';
}

export const title = (a: string) => a[0].toUpperCase() + a.slice(1);
