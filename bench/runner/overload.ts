import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RedisServerProcess } from '../../test/support/redis-server.js';
import type { OverloadPhase, OverloadResults } from '../report/results.js';
import type { ApiServerConfig } from '../server/api-server.js';
import { onCleanup, trackPid, untrackPid } from '../support/cleanup.js';
import { sleep } from '../support/stats.js';
import type { BenchDatabase } from './dataset.js';
import { apiEnv } from './mixed-workload/api-env.js';
import { MixedGenerator } from './mixed-workload/generator.js';
import { runMixedLoad } from './mixed-workload/load.js';
import { loadPopulation } from './mixed-workload/population.js';
import type { BenchOptions } from './options.js';
import { measureOverloadPhase, type PhaseSetup } from './overload/phase.js';
import { ServerProcess } from './server-process.js';

const API_ENTRY = fileURLToPath(
  new URL('../server/api-server.js', import.meta.url),
);
/** The API's default REDIS_COMMAND_TIMEOUT_MS, which the figure keeps. */
const COMMAND_TIMEOUT_MS = 250;

/** SIGSTOP / SIGCONT cycles on `redis`: slow, never dead; always left running. */
async function slowRedis(
  redis: RedisServerProcess,
  o: BenchOptions['overload'],
): Promise<void> {
  try {
    for (let i = 0; i < o.cycles; i++) {
      redis.pause();
      await sleep(o.pausedMs);
      redis.resume();
      await sleep(o.runningMs);
    }
  } finally {
    if (redis.isPaused) redis.resume();
  }
}

function line(p: OverloadPhase): string {
  if (p.phase === 'no-cache')
    return `overload no-cache ${String(p.rps).padStart(6)} req/s  p99 ${p.p99Ms.toFixed(1)} ms  loads ${p.loadsPerSec}/s  PostgreSQL ${p.pgQueriesPerSec} queries/s  max in flight per key ${p.maxInFlightPerKey} (the control: no single flight)`;
  const closed =
    p.breakerClosedAfterMs === undefined
      ? ''
      : `, closed after ${p.breakerClosedAfterMs} ms`;
  return `overload ${p.phase.padEnd(8)} ${String(p.rps).padStart(6)} req/s  p99 ${p.p99Ms.toFixed(1)} ms  non-2xx ${p.non2xx}  errors ${p.errors}  loads ${p.loadsPerSec}/s (${p.loadsMetric} by the metric)  PostgreSQL ${p.pgQueriesPerSec} queries/s  max in flight per key ${p.maxInFlightPerKey}  breaker open ${(p.breakerOpenShare * 100).toFixed(0)}% of ${p.breakerSamples} samples, ${p.breakerOpens} opens, ${p.breakerCloses} closes${closed}${p.breakerChanges ? ` [${p.breakerChanges}]` : ''}`;
}

/**
 * Redis slowed, not dead: the API with its Redis cache (CACHE_L1=false, so
 * that every hit is a Redis read) on a Redis of its own, under the mixed
 * workload's Zipf reads; a healthy phase, then Redis stopped (SIGSTOP) for
 * longer than the command timeout and let run (SIGCONT) in turns, so that
 * commands time out and the breaker opens, then a recovery phase. The API
 * counts its loads per cache key (server/load-counter.ts): the figure is
 * how many loads of one key PostgreSQL saw at once.
 */
export async function measureOverload(
  db: BenchDatabase,
  options: BenchOptions,
  clockTicks: number,
  serverCore: number | undefined,
  say: (line: string) => void,
  problems: string[],
): Promise<OverloadResults> {
  const o = options.overload;
  const redis = await RedisServerProcess.start();
  const redisPid = redis.pid;
  if (redisPid !== undefined) trackPid(redisPid);
  // stop() sends SIGCONT first when it is paused
  const unregisterRedis = onCleanup('overload redis', () => redis.stop());
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  let server: ServerProcess | undefined;
  try {
    const config: ApiServerConfig = { cache: true, countLoads: true };
    server = await ServerProcess.launch(
      {
        name: 'api/overload',
        entry: API_ENTRY,
        args: [JSON.stringify(config)],
        env: {
          ...apiEnv('redis', db, redis.url),
          REDIS_KEY_PREFIX: 'bench:api:overload:',
          REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS),
        },
        cwd: tmpdir(),
      },
      serverCore,
    );
    const population = await loadPopulation(db);
    const generator = new MixedGenerator(
      population,
      options.mixed.zipfS,
      o.writeShare,
      11,
    );
    const { warmupSec } = options.mixed;
    say(
      `overload: warming up the API with Redis only (${warmupSec} s; Zipf s=${options.mixed.zipfS}, ${o.writeShare * 100}% writes)`,
    );
    const w = await runMixedLoad(
      server.url,
      generator,
      options.connections,
      warmupSec,
    );
    if (w.errors || Object.keys(w.statuses).some((s) => !s.startsWith('2')))
      throw new Error(
        `overload warm-up answers ${JSON.stringify(w.statuses)}, ${w.errors} errors:\n${server.log.slice(-3000)}`,
      );
    const setup: PhaseSetup = {
      db,
      connections: options.connections,
      clockTicks,
      agent,
    };
    const phases: OverloadPhase[] = [];
    const run = async (
      phase: OverloadPhase['phase'],
      sec: number,
      during?: () => Promise<void>,
    ) => {
      if (!server) return;
      const p = await measureOverloadPhase(
        phase,
        server,
        generator,
        sec,
        setup,
        during,
      );
      phases.push(p);
      say(line(p));
    };
    await run('healthy', options.durationSec);
    const slowSec = (o.cycles * (o.pausedMs + o.runningMs)) / 1000;
    say(
      `overload: slowing Redis (SIGSTOP ${o.pausedMs} ms / SIGCONT ${o.runningMs} ms, ${o.cycles} cycles; command timeout ${COMMAND_TIMEOUT_MS} ms)`,
    );
    await run('slow', slowSec, () => slowRedis(redis, o));
    await run('recovery', options.durationSec);
    // expected while Redis is slow (timeouts, the breaker): kept, not problems
    const apiWarnings = [...new Set(server.warnings)].slice(0, 5);
    await server.stop();
    // the control: the same load without the cache module shows what the counter sees with no single flight
    const control: ApiServerConfig = { cache: false, countLoads: true };
    server = await ServerProcess.launch(
      {
        name: 'api/overload-no-cache',
        entry: API_ENTRY,
        args: [JSON.stringify(control)],
        env: apiEnv('no-cache', db, redis.url),
        cwd: tmpdir(),
      },
      serverCore,
    );
    await run('no-cache', options.durationSec);
    for (const p of phases)
      if (p.errors > 0)
        problems.push(
          `overload ${p.phase}: ${p.errors} socket errors or timeouts of the load generator`,
        );
    return {
      connections: options.connections,
      zipfS: options.mixed.zipfS,
      writeShare: o.writeShare,
      commandTimeoutMs: COMMAND_TIMEOUT_MS,
      pausedMs: o.pausedMs,
      runningMs: o.runningMs,
      cycles: o.cycles,
      phases,
      apiWarnings,
    };
  } finally {
    if (redis.isPaused) redis.resume();
    agent.destroy();
    await server?.stop();
    unregisterRedis();
    await redis.stop();
    if (redisPid !== undefined) untrackPid(redisPid);
  }
}
