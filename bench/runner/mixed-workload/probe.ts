import type { Redis } from 'ioredis';
import type { MixedMode, MixedRoundTrips } from '../../report/results.js';
import { monitorCommands, totalCount } from '../../support/redis-stats.js';
import { round } from '../../support/stats.js';
import type { MixedGenerator } from './generator.js';
import { runMixedLoad } from './load.js';

/**
 * Redis round trips per request of a cached API: its traffic for a short
 * while with MONITOR open, after the timed rounds (MONITOR slows Redis, so
 * never during one). MONITOR tells the commands clients sent (one call on
 * the wire each: what a request waits for) from those run inside Lua
 * scripts, which INFO commandstats counts alike. A tenth of the connections
 * keeps the MONITOR stream from starving Redis into command timeouts.
 */
export async function probeRoundTrips(
  mode: MixedMode,
  url: string,
  generator: MixedGenerator,
  redis: Redis,
  connections: number,
  durationSec: number,
  problems: string[],
): Promise<MixedRoundTrips> {
  let requests = 0;
  let failed = 0;
  const counted = await monitorCommands(redis, async () => {
    const load = await runMixedLoad(url, generator, connections, durationSec);
    requests = load.requests;
    failed =
      load.errors +
      Object.entries(load.statuses)
        .filter(([status]) => !status.startsWith('2'))
        .reduce((a, [, n]) => a + n, 0);
  });
  if (failed > 0)
    problems.push(
      `mixed workload ${mode}: ${failed} failed requests in the round-trip probe (MONITOR)`,
    );
  const per = Math.max(requests, 1);
  return {
    mode,
    requests,
    connections,
    roundTripsPerReq: round(totalCount(counted.clientCommands) / per, 3),
    scriptCmdsPerReq: round(totalCount(counted.scriptCommands) / per, 3),
    clientCommands: Object.fromEntries(
      Object.entries(counted.clientCommands).map(([c, n]) => [
        c,
        round(n / per, 3),
      ]),
    ),
  };
}
