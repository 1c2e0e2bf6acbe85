import { Agent } from 'node:http';
import type { Redis } from 'ioredis';
import type { RoundTripResult } from '../report/results.js';
import { httpGet } from '../support/http.js';
import { monitorCommands, totalCount } from '../support/redis-stats.js';
import { round } from '../support/stats.js';
import type { TermFixture } from './fixture.js';
import type { ServedVariant } from './throughput.js';

/**
 * Redis commands per cached hit, told apart by MONITOR into commands sent by
 * the server (round trips) and commands run inside Lua scripts. Runs
 * `requests` sequential hits per variant after the timed rounds.
 */
export async function measureRoundTrips(
  servedVariants: readonly ServedVariant[],
  fixture: TermFixture,
  redis: Redis,
  requests: number,
): Promise<RoundTripResult[]> {
  const out: RoundTripResult[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const s of servedVariants) {
      if (!s.info.cached) continue;
      let bad = 0;
      const counted = await monitorCommands(redis, async () => {
        for (let i = 0; i < requests; i++) {
          const path = fixture.paths[i % fixture.paths.length];
          const reply = await httpGet(s.server.url + path, agent);
          if (reply.status !== 200) bad++;
        }
      });
      if (bad > 0)
        throw new Error(
          `${s.server.name}: ${bad} failed requests in the round-trip probe`,
        );
      out.push({
        adapter: s.adapter,
        variant: s.info.id,
        requests,
        roundTripsPerReq: round(
          totalCount(counted.clientCommands) / requests,
          3,
        ),
        scriptCmdsPerReq: round(
          totalCount(counted.scriptCommands) / requests,
          3,
        ),
        clientCommands: counted.clientCommands,
        scriptCommands: counted.scriptCommands,
      });
    }
  } finally {
    agent.destroy();
  }
  return out;
}
