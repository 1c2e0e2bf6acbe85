import type { CallStats } from '../report/results.js';
import { round } from '../support/stats.js';

function stats(latencies: Float64Array, calls: number, ns: bigint): CallStats {
  const xs = latencies.slice(0, calls).sort();
  const q = (p: number) =>
    calls === 0 ? NaN : xs[Math.min(calls - 1, Math.ceil(p * calls) - 1)];
  let sum = 0;
  for (let i = 0; i < calls; i++) sum += xs[i];
  const seconds = Number(ns) / 1e9;
  return {
    calls,
    seconds: round(seconds, 3),
    opsPerSec: round(calls / seconds, 0),
    meanMs: round(sum / Math.max(calls, 1), 4),
    p50Ms: round(q(0.5), 4),
    p99Ms: round(q(0.99), 4),
  };
}

/**
 * Times `call(i)` for i = 0, 1, … one at a time, until `calls` calls or
 * `maxSec` seconds, whichever comes first. Each latency is kept (hrtime,
 * ns), so that microsecond hits get exact quantiles.
 */
export async function timeSequential(
  calls: number,
  maxSec: number,
  call: (i: number) => Promise<unknown>,
): Promise<CallStats> {
  const latencies = new Float64Array(calls);
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(maxSec * 1e9));
  let n = 0;
  while (n < calls) {
    const a = process.hrtime.bigint();
    if (a > deadline) break;
    await call(n);
    latencies[n++] = Number(process.hrtime.bigint() - a) / 1e6;
  }
  return stats(latencies, n, process.hrtime.bigint() - t0);
}

/**
 * Times up to `calls` calls with `concurrency` in flight (bounded by
 * `maxSec` as well): ops/s is calls over the wall time.
 */
export async function timeConcurrent(
  calls: number,
  concurrency: number,
  maxSec: number,
  call: (i: number) => Promise<unknown>,
): Promise<CallStats> {
  const latencies = new Float64Array(calls);
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(maxSec * 1e9));
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < calls) {
      const a = process.hrtime.bigint();
      if (a > deadline) return;
      const i = next++;
      await call(i);
      latencies[done++] = Number(process.hrtime.bigint() - a) / 1e6;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return stats(latencies, done, process.hrtime.bigint() - t0);
}
