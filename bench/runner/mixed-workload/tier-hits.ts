import { Agent } from 'node:http';
import type { TierHits } from '../../report/results.js';
import { httpGet } from '../../support/http.js';

const REQUESTS = 'lexikon_cache_requests_total';
/** The API-key lookup's namespace (`auth:{key}`, one per request): not a route entry. */
const API_KEY_NAMESPACE = 'auth';

function labels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return out;
}

/**
 * The cache's request counter as the API's `GET /metrics` serves it, summed
 * over the route namespaces: requests, and hits by the tier that answered
 * (`l1`, `redis`). X-Cache says HIT for both, so the tier is told only here.
 */
export async function scrapeTierHits(
  url: string,
  agent: Agent,
): Promise<TierHits> {
  const reply = await httpGet(`${url}/metrics`, agent);
  if (reply.status !== 200)
    throw new Error(`GET ${url}/metrics answered ${reply.status}`);
  let requests = 0;
  const hits: Record<string, number> = {};
  for (const line of reply.body.split('\n')) {
    if (!line.startsWith(`${REQUESTS}{`)) continue;
    const close = line.lastIndexOf('}');
    const l = labels(line.slice(REQUESTS.length + 1, close));
    const n = Number(line.slice(close + 1).trim());
    if (!Number.isFinite(n) || l.namespace === API_KEY_NAMESPACE) continue;
    requests += n;
    if (l.result === 'hit') hits[l.tier] = (hits[l.tier] ?? 0) + n;
  }
  return { requests, hits };
}

export function diffTierHits(before: TierHits, after: TierHits): TierHits {
  const hits: Record<string, number> = {};
  for (const [tier, n] of Object.entries(after.hits))
    hits[tier] = n - (before.hits[tier] ?? 0);
  return { requests: after.requests - before.requests, hits };
}

export function sumTierHits(all: readonly TierHits[]): TierHits {
  const hits: Record<string, number> = {};
  let requests = 0;
  for (const t of all) {
    requests += t.requests;
    for (const [tier, n] of Object.entries(t.hits))
      hits[tier] = (hits[tier] ?? 0) + n;
  }
  return { requests, hits };
}
