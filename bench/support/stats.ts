/** A figure over rounds: the median with the extremes beside it. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export function spread(values: readonly number[]): Spread {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(xs.length / 2);
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1], n: xs.length };
}

/**
 * Latencies at 10 µs resolution up to 1 s (autocannon's own histogram keeps
 * whole milliseconds, too coarse for sub-millisecond loopback latencies).
 */
export class LatencyHistogram {
  private static readonly STEP_MS = 0.01;
  private readonly buckets = new Uint32Array(100_000);
  private overflow: number[] = [];
  count = 0;

  record(ms: number): void {
    const i = Math.floor(ms / LatencyHistogram.STEP_MS);
    if (i < this.buckets.length) this.buckets[i]++;
    else this.overflow.push(ms);
    this.count++;
  }

  /** The q-quantile (0..1) in ms, at the upper edge of its bucket. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return (i + 1) * LatencyHistogram.STEP_MS;
    }
    const rest = [...this.overflow].sort((a, b) => a - b);
    return rest[Math.min(rest.length - 1, rank - seen - 1)];
  }
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
