import type { Agent } from 'node:http';
import type { OverloadPhase } from '../../report/results.js';
import { backendTicks, backendTicksUsed } from '../../support/postgres.js';
import { round, sleep } from '../../support/stats.js';
import type { BenchDatabase } from '../dataset.js';
import type { MixedGenerator } from '../mixed-workload/generator.js';
import { runMixedLoad } from '../mixed-workload/load.js';
import { API_APPLICATION_NAME } from '../mixed-workload/round.js';
import { hitCounts } from '../mixed-workload/tallies.js';
import type { ServerProcess } from '../server-process.js';
import { readLoadCounts, scrapeCacheGauges } from './scrape.js';

/** How often the breaker gauge is read: well under its 1 s cooldown, so no open is missed. */
const SAMPLE_MS = 50;

export interface PhaseSetup {
  readonly db: BenchDatabase;
  readonly connections: number;
  readonly clockTicks: number;
  readonly agent: Agent;
}

interface Samples {
  open: number;
  total: number;
  opens: number;
  closes: number;
  /** `open@ms` / `closed@ms` from the phase's start, at each change. */
  changes: string[];
  last: boolean;
  closedAfterMs?: number;
}

/** Reads the breaker gauge every SAMPLE_MS until `done` says stop (bounded by the load's end). */
async function sampleBreaker(
  url: string,
  agent: Agent,
  startOpen: boolean,
  done: () => boolean,
): Promise<Samples> {
  const s: Samples = {
    open: 0,
    total: 0,
    opens: 0,
    closes: 0,
    changes: [],
    last: startOpen,
  };
  const t0 = Date.now();
  while (!done()) {
    try {
      const { breakerOpen } = await scrapeCacheGauges(url, agent);
      s.total++;
      if (breakerOpen) s.open++;
      if (breakerOpen && !s.last) s.opens++;
      if (!breakerOpen && s.last) s.closes++;
      if (breakerOpen !== s.last && s.changes.length < 50)
        s.changes.push(`${breakerOpen ? 'open' : 'closed'}@${Date.now() - t0}`);
      if (!breakerOpen && s.closedAfterMs === undefined)
        s.closedAfterMs = Date.now() - t0;
      s.last = breakerOpen;
    } catch {
      // a scrape lost under load is a missing sample, not a failed phase
    }
    await sleep(SAMPLE_MS);
  }
  return s;
}

/**
 * One phase against the API: the load for `durationSec`, with `during`
 * (what slows Redis, if anything) running alongside; the API's load
 * counter, its lexikon_cache_* figures and PostgreSQL's transactions
 * read before and after.
 */
export async function measureOverloadPhase(
  phase: OverloadPhase['phase'],
  server: ServerProcess,
  generator: MixedGenerator,
  durationSec: number,
  setup: PhaseSetup,
  during: () => Promise<void> = () => Promise.resolve(),
): Promise<OverloadPhase> {
  const { db, agent, clockTicks } = setup;
  server.assertRunning();
  await readLoadCounts(server.url, agent, true);
  const gauges0 = await scrapeCacheGauges(server.url, agent);
  const db0 = await backendTicks(db.dataSource, API_APPLICATION_NAME);
  let finished = false;
  const sampling = sampleBreaker(
    server.url,
    agent,
    gauges0.breakerOpen,
    () => finished,
  );
  const slowing = during();
  let load: Awaited<ReturnType<typeof runMixedLoad>>;
  try {
    load = await runMixedLoad(
      server.url,
      generator,
      setup.connections,
      durationSec,
    );
  } finally {
    finished = true;
    await slowing;
  }
  const samples = await sampling;
  const counts = await readLoadCounts(server.url, agent, true);
  const gauges1 = await scrapeCacheGauges(server.url, agent);
  const dbTicks = backendTicksUsed(
    db0,
    await backendTicks(db.dataSource, API_APPLICATION_NAME),
  );
  const requests = Math.max(load.requests, 1);
  const c = hitCounts(load.tallies);
  const cacheable = c.hits + c.misses + c.bypasses;
  const non2xx = Object.entries(load.statuses)
    .filter(([st]) => !st.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  const sec = load.durationSec;
  return {
    phase,
    durationSec: round(sec, 3),
    requests: load.requests,
    rps: round(load.requests / sec, 0),
    p50Ms: round(load.p50Ms, 2),
    p99Ms: round(load.p99Ms, 2),
    non2xx,
    errors: load.errors,
    statuses: load.statuses,
    hitRate: cacheable ? round(c.hits / cacheable, 4) : NaN,
    loads: counts.loads,
    loadsPerSec: round(counts.loads / sec, 0),
    loadsByKind: counts.byKind,
    loadsMetric: gauges1.loads - gauges0.loads,
    loadsPerReq: round(counts.loads / requests, 4),
    maxInFlightPerKey: counts.maxInFlightPerKey,
    hottestKey: counts.hottestKey,
    mostLoadsOfOneKey: counts.mostLoadsOfOneKey,
    pgQueries: counts.queries,
    pgQueriesPerSec: round(counts.queries / sec, 0),
    dbCpuUsPerReq: round(((dbTicks / clockTicks) * 1e6) / requests, 1),
    breakerOpenShare: samples.total
      ? round(samples.open / samples.total, 3)
      : NaN,
    breakerSamples: samples.total,
    breakerOpens: samples.opens,
    breakerCloses: samples.closes,
    breakerChanges: samples.changes.join(' '),
    breakerOpenAtEnd: gauges1.breakerOpen,
    ...(phase === 'recovery' && samples.closedAfterMs !== undefined
      ? { breakerClosedAfterMs: samples.closedAfterMs }
      : {}),
  };
}
