import type { TargetResult } from '../results.js';
import { fmtNum } from '../format.js';
import { fmtAdded } from '../markdown/coherence.js';
import { type Inputs, NOT_RUN, notMeasured } from './judge.js';

/**
 * The issue gives no number for what coherence may add to a write; the
 * figures are reported as they are. What it asks of a stalled instance is
 * that writers do not wait forever: judged as lease + margin.
 */
export function coherenceTarget(inputs: Inputs): TargetResult {
  const id = 'coherence-stalled-bound';
  const c = inputs.coherence;
  const target = `coherence: with one instance stalled, the first write resolves within lease + margin${c ? ` (${fmtNum(c.boundMs / 1000, 1)} s)` : ''}`;
  if (!c || c.rows.length === 0) return notMeasured(id, target, NOT_RUN);
  const worst = Math.max(...c.rows.flatMap((r) => r.stalled.firstWriteMs));
  const met = c.rows.every((r) => r.stalled.withinBound);
  const measured = c.rows
    .map(
      (r) =>
        `${r.instances} inst.: ${r.stalled.firstWriteMs.map((x) => fmtNum(x / 1000, 2)).join(', ')} s`,
    )
    .join('; ');
  const added = c.rows
    .map(
      (r) =>
        `${r.instances}: ${fmtAdded(r.healthy.addedP50Ms)} / ${fmtAdded(r.healthy.addedP99Ms)} ms`,
    )
    .join(', ');
  return {
    id,
    target,
    measured,
    met,
    note: met
      ? ''
      : `over by ${fmtNum(worst - c.boundMs, 0)} ms (${fmtNum(worst, 0)} vs ≤ ${fmtNum(c.boundMs, 0)} ms)`,
    reference: `healthy, added p50 / p99 per instance count (no target): ${added}`,
  };
}
