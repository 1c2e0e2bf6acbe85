import { Agent } from 'node:http';
import { makeTerms } from '../data/terms.js';
import { getJson, httpGetAll } from '../support/http.js';
import type { BenchCounters } from '../server/server-config.js';
import type { VariantInfo } from '../variants/registry.js';
import type { BenchServerProcess } from './server-process.js';

/** The paths the load cycles through and the body each must answer. */
export interface TermFixture {
  readonly paths: readonly string[];
  readonly bodies: readonly string[];
}

export function termFixture(count: number): TermFixture {
  const terms = makeTerms(count);
  return {
    paths: terms.map((t) => `/terms/${t.id}`),
    bodies: terms.map((t) => JSON.stringify(t)),
  };
}

export function counters(
  server: BenchServerProcess,
  agent: Agent,
): Promise<BenchCounters> {
  return getJson<BenchCounters>(`${server.url}/__bench/counters`, agent);
}

/**
 * Fills the server's cache with every path, then checks that a second pass
 * answers 200 with the very same body, as hits (X-Cache: HIT, and no
 * handler run) for a cached variant. Throws on any difference.
 */
export async function primeAndVerify(
  server: BenchServerProcess,
  info: VariantInfo,
  fixture: TermFixture,
  agent: Agent,
): Promise<void> {
  const urls = fixture.paths.map((p) => server.url + p);
  const check = async (pass: string, expectHit: boolean) => {
    const replies = await httpGetAll(urls, agent, 8);
    replies.forEach((reply, i) => {
      const where = `${server.name} ${pass} GET ${fixture.paths[i]}`;
      if (reply.status !== 200)
        throw new Error(`${where}: status ${reply.status}: ${reply.body}`);
      if (reply.body !== fixture.bodies[i])
        throw new Error(
          `${where}: body differs from the expected term JSON:\n${reply.body}\n${fixture.bodies[i]}`,
        );
      const xCache = reply.headers['x-cache'];
      if (expectHit && xCache !== 'HIT')
        throw new Error(
          `${where}: expected X-Cache: HIT, got ${String(xCache)}`,
        );
    });
  };
  await check('prime', false);
  const before = await counters(server, agent);
  await check('verify', info.hitHeader);
  const after = await counters(server, agent);
  if (info.cached && after.termLoads !== before.termLoads) {
    throw new Error(
      `${server.name}: the handler ran ${after.termLoads - before.termLoads} times on a second pass over cached paths`,
    );
  }
}
