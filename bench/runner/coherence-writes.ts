import type { CacheService } from '@lexikon/cache';
import type { AddedLatency, WriteLatency } from '../report/results.js';
import { round, sleep } from '../support/stats.js';

/** Time the instances get to read the keys again (they poll every 10 ms), before a write. */
const REFILL_MS = 25;

/** A writer: the keys it invalidates, all under one tag. */
export interface Writer {
  readonly cache: CacheService;
  readonly keys: readonly string[];
  readonly tag: string;
}

/** Writes the entries again (untimed), so that the instances hold them in their tier. */
export async function refill(w: Writer): Promise<void> {
  const oks = await Promise.all(
    w.keys.map((k) => w.cache.set(k, { k }, { tags: [w.tag] })),
  );
  if (oks.some((ok) => !ok))
    throw new Error('coherence: writing the entries failed');
  await sleep(REFILL_MS);
}

/** One timed invalidation of the writer's tag, ms. */
export async function timedWrite(w: Writer): Promise<number> {
  const t0 = process.hrtime.bigint();
  const ok = await w.cache.invalidateTags([w.tag]);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (!ok) throw new Error('coherence: invalidateTags did not resolve');
  return ms;
}

function latency(samples: readonly number[]): WriteLatency {
  const xs = [...samples].sort((a, b) => a - b);
  const q = (p: number) =>
    xs.length === 0
      ? NaN
      : xs[Math.min(xs.length - 1, Math.ceil(p * xs.length) - 1)];
  return {
    calls: xs.length,
    p50Ms: round(q(0.5), 3),
    p99Ms: round(q(0.99), 3),
  };
}

/** Untimed writes with the tier: instances just started handle their first messages with cold code. */
export async function warmWrites(w: Writer, ops: number): Promise<void> {
  for (let i = 0; i < ops; i++) {
    await refill(w);
    await timedWrite(w);
  }
}

/**
 * `rounds` rounds of `ops` writes with the tier and `ops` on Redis only,
 * the order alternating per round, so that drift on the machine falls on
 * both alike. Bounded: rounds × ops × 2 writes.
 */
export async function interleavedWrites(
  tier: Writer,
  plain: Writer,
  rounds: number,
  ops: number,
): Promise<AddedLatency> {
  const withTier: number[] = [];
  const redisOnly: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order =
      r % 2 === 0
        ? ([
            [tier, withTier],
            [plain, redisOnly],
          ] as const)
        : ([
            [plain, redisOnly],
            [tier, withTier],
          ] as const);
    for (const [w, out] of order) {
      for (let i = 0; i < ops; i++) {
        await refill(w);
        out.push(await timedWrite(w));
      }
    }
  }
  const a = latency(withTier);
  const b = latency(redisOnly);
  return {
    withTier: a,
    redisOnly: b,
    addedP50Ms: round(a.p50Ms - b.p50Ms, 3),
    addedP99Ms: round(a.p99Ms - b.p99Ms, 3),
  };
}
