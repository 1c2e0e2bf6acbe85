import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type {
  MixedMode,
  MixedModeSummary,
  MixedRound,
  MixedWorkloadResults,
} from '../report/results.js';
import type { ApiServerConfig } from '../server/api-server.js';
import { coreTicks, processCpuTicks } from '../support/cpu.js';
import { backendTicks, backendTicksUsed } from '../support/postgres.js';
import {
  type CommandCounts,
  commandCounts,
  diffCounts,
  perUnit,
  totalCount,
} from '../support/redis-stats.js';
import { round, sleep, spread } from '../support/stats.js';
import type { BenchDatabase } from './dataset.js';
import { apiEnv } from './mixed-workload/api-env.js';
import { MixedGenerator } from './mixed-workload/generator.js';
import { type Tally, runMixedLoad } from './mixed-workload/load.js';
import { loadPopulation } from './mixed-workload/population.js';
import { hitCounts, kindCounts, sumTallies } from './mixed-workload/tallies.js';
import type { BenchOptions } from './options.js';
import { ServerProcess } from './server-process.js';

const API_ENTRY = fileURLToPath(
  new URL('../server/api-server.js', import.meta.url),
);
/** The application name the API's data source gives its connections. */
const API_APPLICATION_NAME = 'lexikon-api';

/**
 * The mixed workload through the API over HTTP: the app (server/api-server.ts)
 * once with its Redis cache and once without any cache, both pinned to the
 * server CPU and both on the bench database; Zipf-popular reads over users,
 * projects and terms with `writeShare` writes, from autocannon with a request
 * generator. Warm-up, then rounds interleaved (cache, no cache, cache, …).
 * Hit rate from the X-Cache answers of the GETs (the API-key lookup, cached
 * too, is not in it).
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
  const modes: MixedMode[] = ['cache', 'no-cache'];
  const servers = new Map<MixedMode, ServerProcess>();
  try {
    // both at once (each on the server CPU), registered as they come up
    const started = await Promise.allSettled(
      modes.map(async (mode) => {
        const config: ApiServerConfig = { cache: mode === 'cache' };
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
      modes.map((m) => [
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
    let warmup = { requests: 0, hitRate: NaN };
    for (const mode of modes) {
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
      if (mode === 'cache') {
        const cacheable = counts.hits + counts.misses + counts.bypasses;
        warmup = {
          requests: w.requests,
          hitRate: cacheable ? round(counts.hits / cacheable, 4) : NaN,
        };
        say(
          `mixed warm-up with cache: ${w.requests} requests, hit rate ${(warmup.hitRate * 100).toFixed(1)}%`,
        );
      }
      if (bad.length || w.errors)
        throw new Error(
          `mixed workload ${mode}: warm-up answers ${JSON.stringify(w.statuses)}, ${w.errors} errors:\n${server(mode).log.slice(-3000)}`,
        );
      if (mode === 'cache' && counts.noHeader > 0)
        throw new Error(
          `mixed workload: ${counts.noHeader} GETs of the cached API answered without X-Cache`,
        );
      if (mode === 'no-cache' && counts.noHeader !== w.requests - counts.writes)
        throw new Error(
          'mixed workload: the API without cache answered X-Cache headers',
        );
    }

    const rounds: MixedRound[] = [];
    const tallies = new Map<MixedMode, Tally[][]>(modes.map((m) => [m, []]));
    for (let r = 1; r <= options.rounds; r++) {
      for (const mode of modes) {
        const s = server(mode);
        s.assertRunning();
        const cmds0 = await commandCounts(redis);
        const core0 =
          serverCore === undefined ? undefined : coreTicks().get(serverCore);
        const cpu0 = processCpuTicks(s.pid);
        const db0 = await backendTicks(db.dataSource, API_APPLICATION_NAME);
        const wall0 = process.hrtime.bigint();
        const load = await runMixedLoad(
          s.url,
          gen(mode),
          options.connections,
          options.durationSec,
        );
        const wallSec = Number(process.hrtime.bigint() - wall0) / 1e9;
        await sleep(50);
        const cpuTicks = processCpuTicks(s.pid) - cpu0;
        const dbTicks = backendTicksUsed(
          db0,
          await backendTicks(db.dataSource, API_APPLICATION_NAME),
        );
        const core1 =
          serverCore === undefined ? undefined : coreTicks().get(serverCore);
        const coreTotal = core0 && core1 ? core1.total - core0.total : 0;
        const otherPct =
          core0 && core1 && coreTotal > 0
            ? Math.max(
                0,
                ((core1.busy - core0.busy - cpuTicks) / coreTotal) * 100,
              )
            : NaN;
        const cmds = diffCounts(cmds0, await commandCounts(redis));
        const requests = Math.max(load.requests, 1);
        const c = hitCounts(load.tallies);
        const cacheable = c.hits + c.misses + c.bypasses;
        tallies.get(mode)?.push(load.tallies);
        const sample: MixedRound = {
          round: r,
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
        };
        rounds.push(sample);
        say(
          `mixed round ${r}/${options.rounds} ${mode.padEnd(8)} ${String(sample.rps).padStart(6)} req/s  p99 ${sample.p99Ms.toFixed(2)} ms  hit rate ${Number.isNaN(sample.hitRate) ? '–' : `${(sample.hitRate * 100).toFixed(1)}%`}  API ${sample.cpuUsPerReq} µs CPU/req  PostgreSQL ${sample.dbCpuUsPerReq} µs CPU/req  other on server CPU ${sample.serverCoreOtherPct}%`,
        );
        const bad = Object.entries(load.statuses).filter(
          ([st]) => !st.startsWith('2'),
        );
        if (bad.length || load.errors)
          problems.push(
            `mixed workload ${mode}, round ${r}: ${bad.map(([st, n]) => `${n}× ${st}`).join(', ') || 'no non-2xx'}, ${load.errors} socket errors or timeouts`,
          );
      }
    }

    const summaries: MixedModeSummary[] = modes.map((mode) => {
      const mine = rounds.filter((x) => x.mode === mode);
      const all = sumTallies(tallies.get(mode) ?? []);
      const c = hitCounts(all);
      const cacheable = c.hits + c.misses + c.bypasses;
      const cmds: CommandCounts = {};
      for (const x of mine)
        for (const [cmd, n] of Object.entries(x.redisCmds))
          cmds[cmd] = (cmds[cmd] ?? 0) + n;
      const requests = mine.reduce((a, x) => a + x.requests, 0);
      return {
        mode,
        rps: spread(mine.map((x) => x.rps)),
        p50Ms: spread(mine.map((x) => x.p50Ms)),
        p99Ms: spread(mine.map((x) => x.p99Ms)),
        hitRate: spread(mine.map((x) => x.hitRate)),
        hitRateOverall: cacheable ? round(c.hits / cacheable, 4) : NaN,
        cpuUsPerReq: spread(mine.map((x) => x.cpuUsPerReq)),
        dbCpuUsPerReq: spread(mine.map((x) => x.dbCpuUsPerReq)),
        redisCmdsPerReq: spread(mine.map((x) => x.redisCmdsPerReq)),
        redisCmdsBreakdown: perUnit(cmds, Math.max(requests, 1)),
        non2xx: mine.reduce(
          (a, x) =>
            a +
            Object.entries(x.statuses)
              .filter(([st]) => !st.startsWith('2'))
              .reduce((b, [, n]) => b + n, 0),
          0,
        ),
        errors: mine.reduce((a, x) => a + x.errors, 0),
        byKind: kindCounts(all),
      };
    });
    const paired = (pick: (x: MixedRound) => number) => {
      const out: number[] = [];
      for (let r = 1; r <= options.rounds; r++) {
        const a = rounds.find((x) => x.round === r && x.mode === 'cache');
        const b = rounds.find((x) => x.round === r && x.mode === 'no-cache');
        if (a && b) out.push(pick(a) / pick(b));
      }
      return spread(out);
    };
    return {
      connections: options.connections,
      zipfS,
      writeShare,
      warmupSec,
      warmup,
      mix: MixedGenerator.shares(writeShare),
      rounds,
      summaries,
      rpsRatio: paired((x) => x.rps),
      p99Ratio: paired((x) => x.p99Ms),
    };
  } finally {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    for (const s of servers.values())
      for (const w of new Set(s.warnings))
        problems.push(`${s.name} logged: ${w}`);
  }
}
