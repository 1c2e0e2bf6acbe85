/*
 * `npm run bench [-- --quick]`: the Lexikon benchmark runner. See
 * bench/README.md for what it measures and how to read the results.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { RedisServerProcess } from '../test/support/redis-server.js';
import { renderConsoleSummary } from './report/console.js';
import { renderMarkdown } from './report/markdown.js';
import type { BenchResults, MachineInfo } from './report/results.js';
import { evaluateTargets } from './report/targets.js';
import { resultFileName, writeReports } from './report/write.js';
import { openBenchDatabase } from './runner/dataset.js';
import { measureCoherence } from './runner/coherence.js';
import { measureInvalidation } from './runner/invalidation.js';
import { measureMemory } from './runner/memory.js';
import { measureMixedWorkload } from './runner/mixed-workload.js';
import { measureOverload } from './runner/overload.js';
import { type BenchOptions, parseOptions } from './runner/options.js';
import { measureSeedTable } from './runner/seed-table.js';
import { measureHttpGzip } from './runner/http-gzip.js';
import { measureServerFigures } from './runner/server-figures.js';
import {
  installCleanupHandlers,
  onCleanup,
  runCleanups,
  trackPid,
} from './support/cleanup.js';
import {
  clockTicksPerSecond,
  foreignLoad,
  pinProcess,
  planCores,
} from './support/cpu.js';
import { REPO_ROOT } from './support/paths.js';
import { cpuModel } from './support/machine.js';

const started = Date.now();

function say(line: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${t}s] ${line}\n`);
}

async function run(options: BenchOptions): Promise<number> {
  const startedAt = new Date();
  const cores = planCores();
  if (cores.runner !== undefined) pinProcess(process.pid, cores.runner);
  const clockTicks = clockTicksPerSecond();
  say(`Lexikon bench, ${options.mode} mode; ${cores.note}`);

  // Redis inherits the runner's CPU
  const redisServer = await RedisServerProcess.start();
  if (redisServer.pid !== undefined) trackPid(redisServer.pid);
  onCleanup('bench redis', () => redisServer.stop());
  const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
  onCleanup('redis client', () => redis.disconnect());
  const redisVersion =
    /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? '?';
  say(`Redis ${redisVersion} on ${redisServer.url}`);

  const foreign = await foreignLoad([process.pid, redisServer.pid ?? 0], 2000);
  if (foreign > 20)
    say(
      `warning: other processes use ${foreign.toFixed(0)}% of a CPU on this machine; figures will be noisy`,
    );
  const machine: MachineInfo = {
    cpuModel: cpuModel(),
    nproc: cpus().length,
    node: process.versions.node,
    platform: `${process.platform} ${process.arch}`,
    redis: redisVersion,
    clockTicks,
    pinning: cores.note,
    foreignLoadAtStartPct: Math.round(foreign),
  };
  const problems: string[] = [];
  if (foreign > 20)
    problems.push(
      `the machine was not idle: other processes used ${Math.round(foreign)}% of a CPU when the run started`,
    );
  const figures = new Set(options.figures);
  // PostgreSQL with the generated data set: variant 2 and the app figures
  const db =
    figures.has('throughput') ||
    figures.has('seedtable') ||
    figures.has('mixed') ||
    figures.has('overload')
      ? await openBenchDatabase(options, say)
      : undefined;
  const { throughput, roundTrips, stampede } = await measureServerFigures(
    options,
    figures,
    redisServer.url,
    redis,
    cores,
    db,
    clockTicks,
    say,
    problems,
  );

  let invalidation: BenchResults['invalidation'];
  if (figures.has('invalidation')) {
    invalidation = await measureInvalidation(
      redisServer.url,
      redis,
      options,
      say,
    );
  }
  let memory: BenchResults['memory'];
  if (figures.has('memory')) {
    memory = await measureMemory(redisServer.url, redis, options, say);
  }
  let coherence: BenchResults['coherence'];
  if (figures.has('coherence')) {
    coherence = await measureCoherence(redisServer.url, redis, options, say);
    for (const row of coherence.rows)
      if (!row.stalled.withinBound)
        problems.push(
          `coherence, ${row.instances} instance(s): a first write after a stall took ${Math.max(...row.stalled.firstWriteMs)} ms, past lease + margin (${coherence.boundMs} ms)`,
        );
  }
  let seedTable: NonNullable<BenchResults['app']>['seedTable'];
  if (db && figures.has('seedtable')) {
    say(
      `the seed's table: services on PostgreSQL vs CacheService hits (${options.seedTable.keys} keys; ${options.seedTable.sequential} sequential and ${options.seedTable.concurrent} concurrent calls per row at most)`,
    );
    seedTable = await measureSeedTable(
      db,
      redisServer.url,
      options,
      clockTicks,
      say,
    );
    for (const row of seedTable.rows)
      for (const c of row.cells)
        if (c.backend !== 'postgres' && c.loaderCallsTimed > 0)
          problems.push(
            `seed table ${row.label}, ${c.backend}: the loader ran ${c.loaderCallsTimed} times during the timed calls (not all hits)`,
          );
  }
  let mixedWorkload: NonNullable<BenchResults['app']>['mixedWorkload'];
  if (db && figures.has('mixed')) {
    mixedWorkload = await measureMixedWorkload(
      db,
      redisServer.url,
      redis,
      options,
      clockTicks,
      cores.server,
      say,
      problems,
    );
  }
  let overload: BenchResults['overload'];
  if (db && figures.has('overload')) {
    overload = await measureOverload(
      db,
      options,
      clockTicks,
      cores.server,
      say,
      problems,
    );
  }
  let httpGzip: BenchResults['httpGzip'];
  if (figures.has('gzip')) {
    httpGzip = await measureHttpGzip(
      redisServer.url,
      options,
      cores,
      clockTicks,
      say,
    );
  }
  const app =
    seedTable || mixedWorkload ? { seedTable, mixedWorkload } : undefined;

  const partial = {
    mode: options.mode,
    throughput,
    roundTrips,
    stampede,
    invalidation,
    memory,
    coherence,
    app,
    overload,
    httpGzip,
  };
  const results: BenchResults = {
    schema: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    settings: {
      rounds: options.rounds,
      durationSec: options.durationSec,
      warmupSec: options.warmupSec,
      connections: options.connections,
      keys: options.keys,
      adapters: options.adapters,
      figures: options.figures,
      stampede: options.stampede,
      invalidation: options.invalidation,
      memory: options.memory,
      dataset: options.dataset,
      seedTable: options.seedTable,
      mixed: options.mixed,
      coherence: options.coherence,
      overload: options.overload,
    },
    ...partial,
    dataset: db?.info,
    pending: [],
    targets: evaluateTargets(partial),
    problems,
  };

  process.stdout.write(renderConsoleSummary(results));
  if (options.write) {
    const dir = options.outDir ?? join(REPO_ROOT, 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const json = join(dir, resultFileName(startedAt, options.mode));
    writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
    const rel = (p: string) => relative(process.cwd(), p) || p;
    say(`wrote ${[json, ...writeReports(results, dir)].map(rel).join(', ')}`);
  } else {
    process.stdout.write(renderMarkdown(results));
  }
  say('done');
  return 0;
}

/** --render: recomputes the targets and rewrites latest.md / latest.svg from a results file. */
function rerender(file: string, options: BenchOptions): number {
  const stored = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  const results: BenchResults = { ...stored, targets: evaluateTargets(stored) };
  process.stdout.write(renderConsoleSummary(results));
  const dir = options.outDir ?? join(REPO_ROOT, 'bench', 'results');
  say(`re-rendered ${writeReports(results, dir).join(', ')} from ${file}`);
  return 0;
}

async function main(): Promise<number> {
  installCleanupHandlers();
  const options = parseOptions(process.argv.slice(2));
  if (!options) return 0;
  if (options.render) return rerender(options.render, options);
  try {
    return await run(options);
  } finally {
    await runCleanups();
  }
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    await runCleanups();
    process.exit(1);
  },
);
