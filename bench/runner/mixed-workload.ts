import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type {
  MixedMode,
  MixedRound,
  MixedRoundTrips,
  MixedWorkloadResults,
} from '../report/results.js';
import type { ApiServerConfig } from '../server/api-server.js';
import { round } from '../support/stats.js';
import type { BenchDatabase } from './dataset.js';
import { apiEnv } from './mixed-workload/api-env.js';
import { MixedGenerator } from './mixed-workload/generator.js';
import { type Tally, runMixedLoad } from './mixed-workload/load.js';
import { loadPopulation } from './mixed-workload/population.js';
import { probeRoundTrips } from './mixed-workload/probe.js';
import { measureMixedRound } from './mixed-workload/round.js';
import { pairedRatios, summarizeMode } from './mixed-workload/summary.js';
import { hitCounts } from './mixed-workload/tallies.js';
import type { BenchOptions } from './options.js';
import { ServerProcess } from './server-process.js';

const API_ENTRY = fileURLToPath(
  new URL('../server/api-server.js', import.meta.url),
);

/** The three APIs, in the order each round runs them. */
const MODES: readonly MixedMode[] = ['l1', 'redis', 'no-cache'];
const CACHED: readonly MixedMode[] = ['l1', 'redis'];
const NAMES: Record<MixedMode, string> = {
  l1: 'Redis + L1',
  redis: 'Redis only',
  'no-cache': 'no cache',
  cache: 'with cache',
};

/**
 * The mixed workload through the API over HTTP: the app (server/api-server.ts)
 * three times, with Redis and its in-process tier (CACHE_L1=true), with
 * Redis only (CACHE_L1=false) and without any cache, all pinned to the
 * server CPU and on the bench database, the cached ones on key prefixes of
 * their own; Zipf-popular reads over users, projects and terms with
 * `writeShare` writes, from autocannon with a request generator. Warm-up,
 * then rounds interleaved (L1, Redis, no cache, L1, …), then a MONITOR probe
 * of each cached API for its round trips. Hit rate from the X-Cache answers
 * of the GETs (the API-key lookup, cached too, is not in it); hits by tier
 * from the API's lexikon_cache_requests_total.
 */
export async function measureMixedWorkload(
  db: BenchDatabase,
  redisUrl: string,
  redis: Redis,
  options: BenchOptions,
  clockTicks: number,
  serverCore: number | undefined,
  say: (line: string) => void,
  problems: string[],
): Promise<MixedWorkloadResults> {
  const { zipfS, writeShare } = options.mixed;
  const population = await loadPopulation(db);
  const servers = new Map<MixedMode, ServerProcess>();
  const agent = new Agent({ keepAlive: true, maxSockets: 2 });
  try {
    // all at once (each on the server CPU), registered as they come up
    const started = await Promise.allSettled(
      MODES.map(async (mode) => {
        const config: ApiServerConfig = { cache: mode !== 'no-cache' };
        const s = await ServerProcess.launch(
          {
            name: `api/${mode}`,
            entry: API_ENTRY,
            args: [JSON.stringify(config)],
            env: apiEnv(mode, db, redisUrl),
            cwd: tmpdir(), // no .env of the checkout
          },
          serverCore,
        );
        servers.set(mode, s);
      }),
    );
    for (const r of started) if (r.status === 'rejected') throw r.reason;
    const generators = new Map<MixedMode, MixedGenerator>(
      MODES.map((m) => [
        m,
        new MixedGenerator(population, zipfS, writeShare, 7),
      ]),
    );
    const server = (m: MixedMode) => {
      const s = servers.get(m);
      if (!s) throw new Error(`no API server for ${m}`);
      return s;
    };
    const gen = (m: MixedMode) => {
      const g = generators.get(m);
      if (!g) throw new Error(`no generator for ${m}`);
      return g;
    };

    const { warmupSec } = options.mixed;
    say(
      `mixed workload: warming up each API (${warmupSec} s; Zipf s=${zipfS}, ${writeShare * 100}% writes)`,
    );
    const warmups: NonNullable<MixedWorkloadResults['warmups']> = [];
    for (const mode of MODES) {
      const w = await runMixedLoad(
        server(mode).url,
        gen(mode),
        options.connections,
        warmupSec,
      );
      const bad = Object.entries(w.statuses).filter(
        ([s]) => !s.startsWith('2'),
      );
      const counts = hitCounts(w.tallies);
      if (mode !== 'no-cache') {
        const cacheable = counts.hits + counts.misses + counts.bypasses;
        const hitRate = cacheable ? round(counts.hits / cacheable, 4) : NaN;
        warmups.push({ mode, requests: w.requests, hitRate });
        say(
          `mixed warm-up ${NAMES[mode]}: ${w.requests} requests, hit rate ${(hitRate * 100).toFixed(1)}%`,
        );
      }
      if (bad.length || w.errors)
        throw new Error(
          `mixed workload ${mode}: warm-up answers ${JSON.stringify(w.statuses)}, ${w.errors} errors:\n${server(mode).log.slice(-3000)}`,
        );
      if (mode !== 'no-cache' && counts.noHeader > 0)
        throw new Error(
          `mixed workload ${mode}: ${counts.noHeader} GETs of the cached API answered without X-Cache`,
        );
      if (mode === 'no-cache' && counts.noHeader !== w.requests - counts.writes)
        throw new Error(
          'mixed workload: the API without cache answered X-Cache headers',
        );
    }

    const rounds: MixedRound[] = [];
    const tallies = new Map<MixedMode, Tally[][]>(MODES.map((m) => [m, []]));
    const setup = {
      redis,
      db,
      connections: options.connections,
      durationSec: options.durationSec,
      clockTicks,
      serverCore,
      agent,
    };
    for (let r = 1; r <= options.rounds; r++) {
      for (const mode of MODES) {
        const { sample, tallies: t } = await measureMixedRound(
          mode,
          r,
          server(mode),
          gen(mode),
          setup,
        );
        rounds.push(sample);
        tallies.get(mode)?.push(t);
        const tiers = sample.tierHits
          ? `  hits by tier ${Object.entries(sample.tierHits.hits)
              .map(([tier, n]) => `${tier} ${n}`)
              .join(', ')}`
          : '';
        say(
          `mixed round ${r}/${options.rounds} ${NAMES[mode].padEnd(10)} ${String(sample.rps).padStart(6)} req/s  p99 ${sample.p99Ms.toFixed(2)} ms  hit rate ${Number.isNaN(sample.hitRate) ? '–' : `${(sample.hitRate * 100).toFixed(1)}%`}${tiers}  API ${sample.cpuUsPerReq} µs CPU/req  PostgreSQL ${sample.dbCpuUsPerReq} µs CPU/req  Redis ${sample.redisCmdsPerReq} cmds/req  other on server CPU ${sample.serverCoreOtherPct}%`,
        );
        const bad = Object.entries(sample.statuses).filter(
          ([st]) => !st.startsWith('2'),
        );
        if (bad.length || sample.errors)
          problems.push(
            `mixed workload ${mode}, round ${r}: ${bad.map(([st, n]) => `${n}× ${st}`).join(', ') || 'no non-2xx'}, ${sample.errors} socket errors or timeouts`,
          );
      }
    }

    const probeConnections = Math.max(1, Math.round(options.connections / 10));
    const probeSec = Math.min(options.durationSec, 3);
    say(
      `mixed workload: Redis round trips (MONITOR, ${probeSec} s per cached API, ${probeConnections} connections)`,
    );
    const trips = new Map<MixedMode, MixedRoundTrips>();
    for (const mode of CACHED) {
      const t = await probeRoundTrips(
        mode,
        server(mode).url,
        gen(mode),
        redis,
        probeConnections,
        probeSec,
        problems,
      );
      trips.set(mode, t);
      say(
        `mixed ${NAMES[mode]}: ${t.roundTripsPerReq} round trips/req (+ ${t.scriptCmdsPerReq} commands inside scripts) over ${t.requests} requests`,
      );
    }

    return {
      connections: options.connections,
      zipfS,
      writeShare,
      warmupSec,
      warmup: warmups.find((w) => w.mode === 'l1') ?? {
        requests: 0,
        hitRate: NaN,
      },
      warmups,
      mix: MixedGenerator.shares(writeShare),
      rounds,
      summaries: MODES.map((mode) =>
        summarizeMode(mode, rounds, tallies.get(mode) ?? [], trips.get(mode)),
      ),
      vsNoCache: pairedRatios(rounds, CACHED, options.rounds),
    };
  } finally {
    agent.destroy();
    await Promise.all([...servers.values()].map((s) => s.stop()));
    for (const s of servers.values())
      for (const w of new Set(s.warnings))
        problems.push(`${s.name} logged: ${w}`);
  }
}
