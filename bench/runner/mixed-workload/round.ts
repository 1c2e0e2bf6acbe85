import type { Agent } from 'node:http';
import type { Redis } from 'ioredis';
import type { MixedMode, MixedRound } from '../../report/results.js';
import { coreTicks, processCpuTicks } from '../../support/cpu.js';
import { backendTicks, backendTicksUsed } from '../../support/postgres.js';
import {
  commandCounts,
  diffCounts,
  totalCount,
} from '../../support/redis-stats.js';
import { round, sleep } from '../../support/stats.js';
import type { BenchDatabase } from '../dataset.js';
import type { ServerProcess } from '../server-process.js';
import type { MixedGenerator } from './generator.js';
import { runMixedLoad } from './load.js';
import { hitCounts, kindCounts } from './tallies.js';
import { diffTierHits, scrapeTierHits } from './tier-hits.js';
import type { Tally } from './load.js';

/** The application name the API's data source gives its connections. */
export const API_APPLICATION_NAME = 'lexikon-api';

export interface RoundSetup {
  readonly redis: Redis;
  readonly db: BenchDatabase;
  readonly connections: number;
  readonly durationSec: number;
  readonly clockTicks: number;
  readonly serverCore: number | undefined;
  /** For the /metrics scrapes, taken outside the CPU window. */
  readonly agent: Agent;
}

/** One timed round of one API: load, its CPU, PostgreSQL's, Redis commands and (cached) hits by tier. */
export async function measureMixedRound(
  mode: MixedMode,
  roundNo: number,
  server: ServerProcess,
  generator: MixedGenerator,
  setup: RoundSetup,
): Promise<{ sample: MixedRound; tallies: Tally[] }> {
  const { redis, db, clockTicks, serverCore, agent } = setup;
  server.assertRunning();
  const cached = mode !== 'no-cache';
  const tiers0 = cached ? await scrapeTierHits(server.url, agent) : undefined;
  const cmds0 = await commandCounts(redis);
  const core0 =
    serverCore === undefined ? undefined : coreTicks().get(serverCore);
  const cpu0 = processCpuTicks(server.pid);
  const db0 = await backendTicks(db.dataSource, API_APPLICATION_NAME);
  const wall0 = process.hrtime.bigint();
  const load = await runMixedLoad(
    server.url,
    generator,
    setup.connections,
    setup.durationSec,
  );
  const wallSec = Number(process.hrtime.bigint() - wall0) / 1e9;
  await sleep(50);
  const cpuTicks = processCpuTicks(server.pid) - cpu0;
  const dbTicks = backendTicksUsed(
    db0,
    await backendTicks(db.dataSource, API_APPLICATION_NAME),
  );
  const core1 =
    serverCore === undefined ? undefined : coreTicks().get(serverCore);
  const coreTotal = core0 && core1 ? core1.total - core0.total : 0;
  const otherPct =
    core0 && core1 && coreTotal > 0
      ? Math.max(0, ((core1.busy - core0.busy - cpuTicks) / coreTotal) * 100)
      : NaN;
  const cmds = diffCounts(cmds0, await commandCounts(redis));
  const tierHits = tiers0
    ? diffTierHits(tiers0, await scrapeTierHits(server.url, agent))
    : undefined;
  const requests = Math.max(load.requests, 1);
  const c = hitCounts(load.tallies);
  const cacheable = c.hits + c.misses + c.bypasses;
  const sample: MixedRound = {
    round: roundNo,
    mode,
    requests: load.requests,
    durationSec: round(load.durationSec, 3),
    rps: round(load.requests / load.durationSec, 0),
    p50Ms: round(load.p50Ms, 2),
    p99Ms: round(load.p99Ms, 2),
    writes: c.writes,
    hits: c.hits,
    misses: c.misses,
    bypasses: c.bypasses,
    hitRate: cacheable ? round(c.hits / cacheable, 4) : NaN,
    cpuUsPerReq: round(((cpuTicks / clockTicks) * 1e6) / requests, 1),
    dbCpuUsPerReq: round(((dbTicks / clockTicks) * 1e6) / requests, 1),
    serverBusyPct: round((cpuTicks / clockTicks / wallSec) * 100, 1),
    serverCoreOtherPct: round(otherPct, 1),
    redisCmdsPerReq: round(totalCount(cmds) / requests, 3),
    redisCmds: cmds,
    statuses: load.statuses,
    errors: load.errors,
    byKind: kindCounts(load.tallies),
    ...(tierHits ? { tierHits } : {}),
  };
  return { sample, tallies: load.tallies };
}
