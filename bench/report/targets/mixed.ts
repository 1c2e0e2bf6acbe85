import type { MixedMode, MixedModeSummary, TargetResult } from '../results.js';
import { fmtNum, fmtRatio, shortfall } from '../format.js';
import { atLeast, atMost, type Inputs, NOT_RUN, notMeasured } from './judge.js';

const pct = (x: number) => `${fmtNum(x * 100, 1)}%`;

function invalid(
  x: MixedModeSummary,
  t: Omit<TargetResult, 'met' | 'note'>,
): TargetResult | undefined {
  if (x.non2xx === 0 && x.errors === 0) return undefined;
  return {
    ...t,
    met: null,
    note: `invalid: ${fmtNum(x.non2xx)} non-2xx answers and ${fmtNum(x.errors)} errors (see Problems)`,
  };
}

/** The cache hit rate of the API as it ships (Redis + L1; the one cached API of older runs). */
function hitRateTarget(inputs: Inputs): TargetResult {
  const m = inputs.app?.mixedWorkload;
  const id = 'mixed-hit-rate';
  const target = `mixed workload through the API (Zipf s = ${fmtNum(m?.zipfS ?? 1, 1)}, ${fmtNum((m?.writeShare ?? 0.05) * 100, 0)}% writes): cache hit rate > 80%`;
  const cache = m?.summaries.find((x) => x.mode === 'l1' || x.mode === 'cache');
  const none = m?.summaries.find((x) => x.mode === 'no-cache');
  if (!m || !cache) return notMeasured(id, target, NOT_RUN);
  const redis = m.summaries.find((x) => x.mode === 'redis');
  const measured = `${pct(cache.hitRateOverall)} (per round ${cache.hitRate.n > 1 ? `${pct(cache.hitRate.min)}–${pct(cache.hitRate.max)}` : pct(cache.hitRate.median)})${redis ? `; Redis only: ${pct(redis.hitRateOverall)}` : ''}`;
  const legacy =
    m.rpsRatio && none
      ? `vs no cache: ${fmtRatio(m.rpsRatio)} req/s (${fmtNum(cache.rps.median)} vs ${fmtNum(none.rps.median)}), p99 ${fmtNum(cache.p99Ms.median, 1)} vs ${fmtNum(none.p99Ms.median, 1)} ms`
      : undefined;
  const reference =
    legacy ?? (cache.mode === 'l1' ? 'judged on Redis + L1' : undefined);
  const bad = invalid(cache, { id, target, measured, reference });
  if (bad) return bad;
  const met = cache.hitRateOverall > 0.8;
  return {
    id,
    target,
    measured,
    met,
    note: met ? '' : shortfall(cache.hitRateOverall * 100, 80, 'atLeast'),
    reference,
  };
}

/** A cached API's throughput against no cache (paired per round) and its Redis traffic per request. */
function apiTargets(
  inputs: Inputs,
  mode: MixedMode,
  name: string,
  minRatio: number,
  redisGoal: { max: number; what: 'commands' | 'round trips' },
  issue: string,
): TargetResult[] {
  const m = inputs.app?.mixedWorkload;
  const x = m?.summaries.find((s) => s.mode === mode);
  const none = m?.summaries.find((s) => s.mode === 'no-cache');
  const ratio = m?.vsNoCache?.find((r) => r.mode === mode);
  const idRps = `mixed-${mode}-throughput`;
  const tRps = `mixed workload, ${name}: ≥ ${fmtNum(minRatio, 1)}× the no-cache throughput (${issue})`;
  const idRedis = `mixed-${mode}-redis`;
  const tRedis = `mixed workload, ${name}: ≤ ${fmtNum(redisGoal.max, 1)} Redis ${redisGoal.what} per request (${issue})`;
  if (!x)
    return [
      notMeasured(idRps, tRps, NOT_RUN),
      notMeasured(idRedis, tRedis, NOT_RUN),
    ];
  const out: TargetResult[] = [];
  if (ratio && none) {
    const measured = `${fmtRatio(ratio.rps)} (${fmtNum(x.rps.median)} vs ${fmtNum(none.rps.median)} req/s)`;
    const reference = `p99 ${fmtNum(x.p99Ms.median, 1)} vs ${fmtNum(none.p99Ms.median, 1)} ms; API CPU ${fmtNum(x.cpuUsPerReq.median, 1)} vs ${fmtNum(none.cpuUsPerReq.median, 1)} µs/req`;
    out.push(
      invalid(x, { id: idRps, target: tRps, measured, reference }) ??
        atLeast(idRps, tRps, minRatio, ratio.rps.median, measured, reference),
    );
  } else out.push(notMeasured(idRps, tRps, NOT_RUN));
  const trips = x.roundTrips;
  const value =
    redisGoal.what === 'commands'
      ? x.redisCmdsPerReq.median
      : (trips?.roundTripsPerReq ?? NaN);
  if (!Number.isFinite(value)) {
    out.push(notMeasured(idRedis, tRedis, NOT_RUN));
    return out;
  }
  const measured = `${fmtNum(value, 2)} (${redisGoal.what === 'commands' ? `commandstats, script-internal included; round trips ${trips ? fmtNum(trips.roundTripsPerReq, 2) : '–'} (MONITOR)` : `MONITOR probe; commands incl. script-internal ${fmtNum(x.redisCmdsPerReq.median, 2)} (commandstats)`})`;
  out.push(
    invalid(x, { id: idRedis, target: tRedis, measured }) ??
      atMost(idRedis, tRedis, redisGoal.max, value, measured),
  );
  return out;
}

/** The mixed workload's targets: the hit rate, then Redis + L1 and Redis only against no cache. */
export function mixedWorkloadTargets(inputs: Inputs): TargetResult[] {
  return [
    hitRateTarget(inputs),
    ...apiTargets(
      inputs,
      'l1',
      'Redis + L1',
      5,
      { max: 0.5, what: 'commands' },
      'two-tier issue',
    ),
    ...apiTargets(
      inputs,
      'redis',
      'Redis only (L1 off)',
      3.5,
      { max: 2, what: 'round trips' },
      'performance issue',
    ),
  ];
}
