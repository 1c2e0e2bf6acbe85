import type { TargetResult } from '../results.js';
import { fmtNum, fmtRatio } from '../format.js';
import {
  HEADLINE,
  type Inputs,
  NOT_RUN,
  atMost,
  notAllHits,
  notMeasured,
  ratio,
  summary,
} from './judge.js';

/** The in-process tier's hit (3l) against the framework ceiling (1), CPU per request. */
export function l1HitTarget(inputs: Inputs): TargetResult {
  const id = 'l1-hit-cpu';
  const target = 'L1 hit CPU/req ≤ 1.1× bare route (1)';
  const r = ratio(inputs, '3l/1');
  const s3l = summary(inputs, 'lexikon-l1');
  const s1 = summary(inputs, 'bare');
  if (!r || !s3l || !s1) return notMeasured(id, target, NOT_RUN);
  const probe = inputs.roundTrips?.find(
    (x) => x.adapter === HEADLINE && x.variant === 'lexikon-l1',
  );
  const measured = `${fmtRatio(r.cpu)} (${fmtNum(s3l.cpuUsPerReq.median, 1)} vs ${fmtNum(s1.cpuUsPerReq.median, 1)} µs/req); Redis per hit: ${fmtNum(s3l.redisCmdsPerReq.median, 3)} commands${probe ? `, ${fmtNum(probe.roundTripsPerReq, 3)} round trips (MONITOR)` : ''}`;
  const reference = `req/s ${fmtRatio(r.rps)} the bare route's`;
  const invalid = notAllHits(s3l);
  if (invalid)
    return { id, target, measured, met: null, note: invalid, reference };
  return atMost(id, target, 1.1, r.cpu.median, measured, reference);
}
