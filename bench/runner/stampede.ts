import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import { makeTerm } from '../data/terms.js';
import type { StampedeResult } from '../report/results.js';
import { httpGet, httpGetAll } from '../support/http.js';
import { round, spread } from '../support/stats.js';
import { counters } from './fixture.js';
import type { BenchOptions } from './options.js';
import type { ServedVariant } from './throughput.js';

/**
 * `concurrency` simultaneous requests for one cold key whose loader takes
 * `loaderMs`: how many times did the loader run? The connections are opened
 * first, so that the requests really arrive together.
 */
export async function measureStampede(
  servedVariants: readonly ServedVariant[],
  options: BenchOptions,
): Promise<StampedeResult[]> {
  const { concurrency, trials, loaderMs } = options.stampede;
  const first = makeTerm(0);
  const out: StampedeResult[] = [];
  for (const s of servedVariants) {
    if (!s.info.stampede) continue;
    const loaderCalls: number[] = [];
    const latencies: number[] = [];
    let ok = 0;
    for (let t = 0; t < trials; t++) {
      const agent = new Agent({
        keepAlive: true,
        maxSockets: concurrency,
        maxFreeSockets: concurrency,
      });
      try {
        const countersUrl = `${s.server.url}/__bench/counters`;
        await Promise.all(
          Array.from({ length: concurrency }, () =>
            httpGet(countersUrl, agent),
          ),
        );
        const before = await counters(s.server, agent);
        const key = `stampede-${randomUUID()}`;
        const expected = JSON.stringify({ ...first, id: key });
        const replies = await httpGetAll(
          Array.from(
            { length: concurrency },
            () => `${s.server.url}/slow/${key}`,
          ),
          agent,
          concurrency,
        );
        const after = await counters(s.server, agent);
        loaderCalls.push(after.slowLoads - before.slowLoads);
        for (const r of replies) {
          if (r.status === 200 && r.body === expected) ok++;
          latencies.push(r.ms);
        }
      } finally {
        agent.destroy();
      }
    }
    const lat = spread(latencies);
    out.push({
      adapter: s.adapter,
      variant: s.info.id,
      concurrency,
      loaderMs,
      loaderCalls,
      loaderCallsMedian: spread(loaderCalls).median,
      requests: concurrency * trials,
      okResponses: ok,
      p50Ms: round(lat.median, 1),
      maxMs: round(lat.max, 1),
    });
  }
  return out;
}
