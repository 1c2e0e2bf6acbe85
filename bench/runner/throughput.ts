import { Agent } from 'node:http';
import type { Redis } from 'ioredis';
import type {
  RatioSummary,
  RoundSample,
  ThroughputResults,
  VariantSummary,
} from '../report/results.js';
import { typeormApplicationName } from '../server/server-config.js';
import { coreTicks, processCpuTicks } from '../support/cpu.js';
import {
  backendTicks,
  backendTicksUsed,
  type Queryable,
} from '../support/postgres.js';
import {
  commandCounts,
  type CommandCounts,
  diffCounts,
  perUnit,
  totalCount,
} from '../support/redis-stats.js';
import { round, sleep, spread } from '../support/stats.js';
import {
  type Adapter,
  type VariantId,
  type VariantInfo,
} from '../variants/registry.js';
import { counters, type TermFixture } from './fixture.js';
import { runLoad } from './load.js';
import type { BenchOptions } from './options.js';
import type { BenchServerProcess } from './server-process.js';

export interface ServedVariant {
  readonly info: VariantInfo;
  readonly adapter: Adapter;
  readonly server: BenchServerProcess;
  /** The paths the load cycles through and their bodies (variant 2: terms of the data set). */
  readonly fixture: TermFixture;
}

/** The ratios the issue asks for, plus a few that help reading them. */
const RATIOS: readonly [string, VariantId, VariantId][] = [
  ['3/1', 'lexikon-redis', 'bare'],
  ['3/2', 'lexikon-redis', 'typeorm'],
  ['4/2', 'lexikon-memory', 'typeorm'],
  ['2/1', 'typeorm', 'bare'],
  ['3/5', 'lexikon-redis', 'nest-cache-manager'],
  ['3/6', 'lexikon-redis', 'raw-get'],
  ['4/1', 'lexikon-memory', 'bare'],
  ['3t/6', 'lexikon-redis-tags', 'raw-get'],
  ['3l/1', 'lexikon-l1', 'bare'],
  ['3l/3', 'lexikon-l1', 'lexikon-redis'],
  ['5/1', 'nest-cache-manager', 'bare'],
  ['6/1', 'raw-get', 'bare'],
];

async function measureRound(
  served: ServedVariant,
  roundNo: number,
  options: BenchOptions,
  redis: Redis,
  clockTicks: number,
  serverCore: number | undefined,
  db: Queryable | undefined,
): Promise<RoundSample> {
  const { server, info, adapter, fixture } = served;
  server.assertRunning();
  const dbApp =
    info.usesDatabase && db ? typeormApplicationName(adapter) : undefined;
  const db0 = dbApp && db ? await backendTicks(db, dbApp) : undefined;
  const cmds0 = await commandCounts(redis);
  const core0 =
    serverCore === undefined ? undefined : coreTicks().get(serverCore);
  const cpu0 = processCpuTicks(server.pid);
  const self0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const load = await runLoad(server.url, fixture.paths, {
    connections: options.connections,
    durationSec: options.durationSec,
  });
  const wallSec = Number(process.hrtime.bigint() - wall0) / 1e9;
  const self = process.cpuUsage(self0);
  // let the server finish the last responses and socket closes
  await sleep(50);
  const cpuTicks = processCpuTicks(server.pid) - cpu0;
  const dbTicks =
    dbApp && db ? backendTicksUsed(db0, await backendTicks(db, dbApp)) : NaN;
  const core1 =
    serverCore === undefined ? undefined : coreTicks().get(serverCore);
  const coreTotal = core0 && core1 ? core1.total - core0.total : 0;
  const otherPct =
    core0 && core1 && coreTotal > 0
      ? Math.max(0, ((core1.busy - core0.busy - cpuTicks) / coreTotal) * 100)
      : NaN;
  const stealPct =
    core0 && core1 && coreTotal > 0
      ? ((core1.steal - core0.steal) / coreTotal) * 100
      : NaN;
  const cmds = diffCounts(cmds0, await commandCounts(redis));
  const cpuSec = cpuTicks / clockTicks;
  const requests = Math.max(load.requests, 1);
  return {
    round: roundNo,
    adapter,
    variant: info.id,
    requests: load.requests,
    durationSec: round(load.durationSec, 3),
    rps: round(load.rps, 0),
    p50Ms: round(load.p50Ms, 2),
    p99Ms: round(load.p99Ms, 2),
    cpuUsPerReq: round((cpuSec * 1e6) / requests, 2),
    serverBusyPct: round((cpuSec / wallSec) * 100, 1),
    clientBusyPct: round(((self.user + self.system) / 1e6 / wallSec) * 100, 1),
    serverCoreOtherPct: round(otherPct, 1),
    serverCoreStealPct: round(stealPct, 1),
    redisCmdsPerReq: round(totalCount(cmds) / requests, 3),
    redisCmds: cmds,
    ...(dbApp
      ? {
          dbCpuUsPerReq: round(((dbTicks / clockTicks) * 1e6) / requests, 2),
        }
      : {}),
    non2xx: load.non2xx,
    errors: load.errors + load.timeouts,
  };
}

function summarize(
  served: ServedVariant,
  samples: readonly RoundSample[],
  handlerRuns: number,
): VariantSummary {
  const mine = samples.filter(
    (s) => s.adapter === served.adapter && s.variant === served.info.id,
  );
  const total: CommandCounts = {};
  let requests = 0;
  for (const s of mine) {
    requests += s.requests;
    for (const [cmd, n] of Object.entries(s.redisCmds))
      total[cmd] = (total[cmd] ?? 0) + n;
  }
  const of = (pick: (s: RoundSample) => number) => spread(mine.map(pick));
  return {
    adapter: served.adapter,
    variant: served.info.id,
    rps: of((s) => s.rps),
    p50Ms: of((s) => s.p50Ms),
    p99Ms: of((s) => s.p99Ms),
    cpuUsPerReq: of((s) => s.cpuUsPerReq),
    serverBusyPct: of((s) => s.serverBusyPct),
    clientBusyPct: of((s) => s.clientBusyPct),
    serverCoreOtherPct: of((s) => s.serverCoreOtherPct),
    redisCmdsPerReq: of((s) => s.redisCmdsPerReq),
    redisCmdsBreakdown: perUnit(total, Math.max(requests, 1)),
    handlerRunsInRounds: handlerRuns,
    ...(served.info.usesDatabase
      ? { dbCpuUsPerReq: of((s) => s.dbCpuUsPerReq ?? NaN) }
      : {}),
  };
}

function ratios(
  adapters: readonly Adapter[],
  samples: readonly RoundSample[],
): RatioSummary[] {
  const out: RatioSummary[] = [];
  for (const adapter of adapters) {
    for (const [name, num, den] of RATIOS) {
      const rps: number[] = [];
      const cpu: number[] = [];
      const rounds = new Set(samples.map((s) => s.round));
      for (const r of rounds) {
        const a = samples.find(
          (s) => s.round === r && s.adapter === adapter && s.variant === num,
        );
        const b = samples.find(
          (s) => s.round === r && s.adapter === adapter && s.variant === den,
        );
        if (!a || !b) continue;
        rps.push(a.rps / b.rps);
        cpu.push(a.cpuUsPerReq / b.cpuUsPerReq);
      }
      if (rps.length === 0) continue;
      out.push({
        adapter,
        name,
        numerator: num,
        denominator: den,
        rps: spread(rps),
        cpu: spread(cpu),
      });
    }
  }
  return out;
}

/**
 * Warms every (primed) server up, then runs the rounds
 * interleaved (round 1: every adapter's every variant, round 2: again, ...)
 * so that drift of the machine hits all variants alike.
 */
export async function measureThroughput(
  servedVariants: readonly ServedVariant[],
  options: BenchOptions,
  redis: Redis,
  clockTicks: number,
  serverCore: number | undefined,
  db: Queryable | undefined,
  say: (line: string) => void,
): Promise<ThroughputResults> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    say(`warming up (${options.warmupSec} s each)`);
    for (const s of servedVariants) {
      s.server.assertRunning();
      await runLoad(s.server.url, s.fixture.paths, {
        connections: options.connections,
        durationSec: options.warmupSec,
      });
    }
    const loadsBefore = new Map<ServedVariant, number>();
    for (const s of servedVariants)
      loadsBefore.set(s, (await counters(s.server, agent)).termLoads);

    const samples: RoundSample[] = [];
    for (let r = 1; r <= options.rounds; r++) {
      for (const s of servedVariants) {
        const sample = await measureRound(
          s,
          r,
          options,
          redis,
          clockTicks,
          serverCore,
          db,
        );
        samples.push(sample);
        say(
          `round ${r}/${options.rounds} ${s.adapter.padEnd(7)} ${s.info.number.padEnd(2)} ${s.info.label.padEnd(36)} ${String(sample.rps).padStart(7)} req/s  p99 ${sample.p99Ms.toFixed(2)} ms  ${sample.cpuUsPerReq.toFixed(1)} µs CPU/req${sample.dbCpuUsPerReq !== undefined ? ` (+ PostgreSQL ${sample.dbCpuUsPerReq.toFixed(1)})` : ''}  server ${sample.serverBusyPct}%  client ${sample.clientBusyPct}%  other on server CPU ${sample.serverCoreOtherPct}%`,
        );
        s.server.assertRunning();
        if (sample.non2xx > 0 || sample.errors > 0) {
          throw new Error(
            `${s.server.name}: ${sample.non2xx} non-2xx responses and ${sample.errors} errors in round ${r}`,
          );
        }
      }
    }
    const summaries: VariantSummary[] = [];
    for (const s of servedVariants) {
      const runs =
        (await counters(s.server, agent)).termLoads - (loadsBefore.get(s) ?? 0);
      summaries.push(summarize(s, samples, runs));
    }
    return {
      samples,
      summaries,
      ratios: ratios(
        [...new Set(servedVariants.map((s) => s.adapter))],
        samples,
      ),
    };
  } finally {
    agent.destroy();
  }
}
