import type { Redis } from 'ioredis';
import type { CoherenceResults, CoherenceRow } from '../report/results.js';
import { round, sleep } from '../support/stats.js';
import { openCacheContext } from './cache-context.js';
import { awaitMembers, CoherenceNode } from './coherence-nodes.js';
import {
  interleavedWrites,
  warmWrites,
  refill,
  timedWrite,
  type Writer,
} from './coherence-writes.js';
import type { BenchOptions } from './options.js';

const INSTANCES = [1, 3, 5] as const;
const PREFIX = 'bench:coh:';
const TAG = 'coh-tag';
/** The tier's defaults (libs/lexikon-cache options: `l1.lease`, `l1.maxLag`), set explicitly here. */
const LEASE_MS = 2_000;
const MAX_LAG_MS = 500;
/** The tier's own margin on a lease (TwoTier: max(50 ms, lease / 10)). */
const MARGIN_MS = Math.max(50, Math.floor(LEASE_MS / 10));
const JOIN_WAIT_MS = 15_000;

/**
 * The write latency the in-process tier's coherence adds: `invalidateTags`
 * of a tag whose entries 1, 3 and 5 other instances (processes) hold in
 * their tier, against the same call on Redis only, interleaved; then with
 * one instance stalled (SIGSTOP): the first write, which must wait for its
 * lease to lapse (at most lease + margin), and the writes after it.
 */
export async function measureCoherence(
  redisUrl: string,
  redis: Redis,
  options: BenchOptions,
  say: (line: string) => void,
): Promise<CoherenceResults> {
  const c = options.coherence;
  const keys = Array.from({ length: c.keys }, (_, i) => `coh:${i}`);
  await redis.flushall('SYNC');
  const tierCtx = await openCacheContext(redisUrl, PREFIX, {
    l1: { lease: LEASE_MS, maxLag: MAX_LAG_MS },
  });
  const plainCtx = await openCacheContext(redisUrl, 'bench:coh-plain:');
  const tier: Writer = { cache: tierCtx.cache, keys, tag: TAG };
  const plain: Writer = { cache: plainCtx.cache, keys, tag: TAG };
  const nodes: CoherenceNode[] = [];
  const rows: CoherenceRow[] = [];
  try {
    for (const n of INSTANCES) {
      while (nodes.length < n) {
        nodes.push(
          await CoherenceNode.start(`coherence-${nodes.length + 1}`, {
            redisUrl,
            keyPrefix: PREFIX,
            leaseMs: LEASE_MS,
            keys,
            readEveryMs: 10,
          }),
        );
      }
      // the writer is a member too
      await awaitMembers(redis, PREFIX, n + 1, JOIN_WAIT_MS);
      // a tier state younger than one lease makes every write wait it out
      if (rows.length === 0) await sleep(LEASE_MS + MARGIN_MS);
      await warmWrites(tier, c.opsPerRound);
      say(
        `coherence: ${n} instance(s), ${c.rounds} × ${c.opsPerRound} invalidateTags with the tier and on Redis only`,
      );
      const healthy = await interleavedWrites(
        tier,
        plain,
        c.rounds,
        c.opsPerRound,
      );
      const victim = nodes[nodes.length - 1];
      const firstWriteMs: number[] = [];
      let steady: CoherenceRow['stalled']['steady'] | undefined;
      for (let t = 0; t < c.stallTrials; t++) {
        await refill(tier);
        victim.stall();
        try {
          firstWriteMs.push(round(await timedWrite(tier), 1));
          if (t === c.stallTrials - 1)
            steady = await interleavedWrites(
              tier,
              plain,
              c.rounds,
              c.opsPerRound,
            );
        } finally {
          victim.resume();
        }
        // back from the stall it finds its lease lapsed, empties its tier and joins again
        await awaitMembers(redis, PREFIX, n + 1, JOIN_WAIT_MS);
      }
      if (!steady) throw new Error('coherence: no stall trial ran');
      const boundMs = LEASE_MS + MARGIN_MS;
      const row: CoherenceRow = {
        instances: n,
        healthy,
        stalled: {
          firstWriteMs,
          withinBound: firstWriteMs.every((ms) => ms <= boundMs),
          steady,
        },
      };
      rows.push(row);
      say(
        `coherence: ${n} instance(s): added p50 ${healthy.addedP50Ms} ms, p99 ${healthy.addedP99Ms} ms; one stalled: first write ${firstWriteMs.join(', ')} ms (bound ${boundMs} ms), then added p50 ${steady.addedP50Ms} ms, p99 ${steady.addedP99Ms} ms`,
      );
    }
  } finally {
    for (const node of nodes.reverse()) await node.stop();
    await tierCtx.close();
    await plainCtx.close();
    await redis.flushall('SYNC');
  }
  return {
    keys: c.keys,
    rounds: c.rounds,
    opsPerRound: c.opsPerRound,
    leaseMs: LEASE_MS,
    marginMs: MARGIN_MS,
    maxLagMs: MAX_LAG_MS,
    boundMs: LEASE_MS + MARGIN_MS,
    rows,
  };
}
