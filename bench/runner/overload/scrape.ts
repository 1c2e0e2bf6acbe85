import type { Agent } from 'node:http';
import type { LoadCounts } from '../../server/load-counter.js';
import { getJson, httpGet } from '../../support/http.js';

const BREAKER = 'lexikon_cache_breaker_open';
const LOADS = 'lexikon_cache_loads_total';

export interface CacheGauges {
  readonly breakerOpen: boolean;
  /** lexikon_cache_loads_total summed over namespaces. */
  readonly loads: number;
}

/** The breaker gauge and the loads counter from the API's `GET /metrics`. */
export async function scrapeCacheGauges(
  url: string,
  agent: Agent,
): Promise<CacheGauges> {
  const reply = await httpGet(`${url}/metrics`, agent, 5_000);
  if (reply.status !== 200)
    throw new Error(`GET ${url}/metrics answered ${reply.status}`);
  let breakerOpen = false;
  let loads = 0;
  for (const line of reply.body.split('\n')) {
    if (line.startsWith(`${BREAKER} `))
      breakerOpen = Number(line.slice(BREAKER.length + 1)) > 0;
    else if (line.startsWith(`${LOADS}{`) || line.startsWith(`${LOADS} `)) {
      const n = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(n)) loads += n;
    }
  }
  return { breakerOpen, loads };
}

/** The bench-only load counter of the API (server/load-counter.ts); `reset` starts a new window. */
export function readLoadCounts(
  url: string,
  agent: Agent,
  reset: boolean,
): Promise<LoadCounts> {
  return getJson<LoadCounts>(
    `${url}/__bench/loads${reset ? '?reset=1' : ''}`,
    agent,
  );
}
