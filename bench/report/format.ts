import type { Spread } from '../support/stats.js';

export function fmtNum(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** `median (min–max)`; just the median for a single round. */
export function fmtSpread(s: Spread, digits = 0, unit = ''): string {
  if (s.n === 0) return '–';
  const m = fmtNum(s.median, digits) + unit;
  if (s.n === 1 || s.min === s.max) return m;
  return `${m} (${fmtNum(s.min, digits)}–${fmtNum(s.max, digits)})`;
}

export function fmtRatio(s: Spread): string {
  return fmtSpread(s, 2, '×');
}

export function fmtBytes(bytes: number): string {
  return `${fmtNum(bytes / 1e6, 1)} MB`;
}

/** How far `measured` is from a floor or ceiling, in %. */
export function shortfall(
  measured: number,
  goal: number,
  kind: 'atLeast' | 'atMost',
): string {
  const pct =
    kind === 'atLeast'
      ? ((goal - measured) / goal) * 100
      : ((measured - goal) / goal) * 100;
  return kind === 'atLeast'
    ? `short by ${fmtNum(pct, 1)}% (${fmtNum(measured, 2)} vs ≥ ${fmtNum(goal, 2)})`
    : `over by ${fmtNum(pct, 1)}% (${fmtNum(measured, 2)} vs ≤ ${fmtNum(goal, 2)})`;
}
