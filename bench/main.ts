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
import { renderSvg } from './report/svg.js';
import { evaluateTargets } from './report/targets.js';
import {
  type BenchDatabase,
  databaseTermFixture,
  openBenchDatabase,
} from './runner/dataset.js';
import { termFixture, type TermFixture } from './runner/fixture.js';
import { measureInvalidation } from './runner/invalidation.js';
import { measureMemory } from './runner/memory.js';
import { measureMixedWorkload } from './runner/mixed-workload.js';
import { type BenchOptions, parseOptions } from './runner/options.js';
import { measureRoundTrips } from './runner/round-trips.js';
import { measureSeedTable } from './runner/seed-table.js';
import { BenchServerProcess } from './runner/server-process.js';
import { measureStampede } from './runner/stampede.js';
import { measureThroughput, type ServedVariant } from './runner/throughput.js';
import {
  installCleanupHandlers,
  onCleanup,
  runCleanups,
  trackPid,
} from './support/cleanup.js';
import {
  clockTicksPerSecond,
  type CorePlan,
  foreignLoad,
  pinProcess,
  planCores,
} from './support/cpu.js';
import { REPO_ROOT } from './support/paths.js';
import { primeAndVerify } from './runner/fixture.js';
import { Agent } from 'node:http';
import { isServed, VARIANTS } from './variants/registry.js';

const started = Date.now();

function say(line: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${t}s] ${line}\n`);
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(
      readFileSync('/proc/cpuinfo', 'utf8'),
    );
    return m ? m[1].trim() : 'unknown CPU';
  } catch {
    return 'unknown CPU';
  }
}

/** The variants to serve: variant 2 only with a database and when throughput is measured. */
function servedVariants(options: BenchOptions, withDatabase: boolean) {
  return VARIANTS.filter(isServed).filter(
    (v) =>
      !v.usesDatabase ||
      (withDatabase && options.figures.includes('throughput')),
  );
}

async function startServers(
  options: BenchOptions,
  redisUrl: string,
  cores: CorePlan,
  db: BenchDatabase | undefined,
  fixture: TermFixture,
): Promise<ServedVariant[]> {
  const dbFixture = db
    ? await databaseTermFixture(db, options.keys)
    : undefined;
  const wanted = options.adapters.flatMap((adapter) =>
    servedVariants(options, db !== undefined).map((info) => ({
      adapter,
      info,
    })),
  );
  const served: ServedVariant[] = [];
  // a few at a time: they all start on the server's one core
  for (let i = 0; i < wanted.length; i += 3) {
    const batch = await Promise.all(
      wanted.slice(i, i + 3).map(async ({ adapter, info }) => ({
        adapter,
        info,
        fixture: (info.usesDatabase ? dbFixture : undefined) ?? fixture,
        server: await BenchServerProcess.start(
          {
            variant: info.id,
            adapter,
            redisUrl,
            termCount: options.keys,
            slowMs: options.stampede.loaderMs,
            ttlSeconds: 24 * 3600,
            databaseUrl: info.usesDatabase ? db?.url : undefined,
          },
          cores.server,
        ),
      })),
    );
    served.push(...batch);
  }
  return served;
}

function resultFileName(date: Date, mode: string): string {
  const iso = date
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
  return mode === 'quick' ? `${iso}-quick.json` : `${iso}.json`;
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
    figures.has('mixed')
      ? await openBenchDatabase(options, say)
      : undefined;
  let throughput: BenchResults['throughput'];
  let roundTrips: BenchResults['roundTrips'];
  let stampede: BenchResults['stampede'];

  if (
    figures.has('throughput') ||
    figures.has('roundtrips') ||
    figures.has('stampede')
  ) {
    say(
      `starting ${options.adapters.length * servedVariants(options, db !== undefined).length} bench servers`,
    );
    const fixture = termFixture(options.keys);
    const served = await startServers(
      options,
      redisServer.url,
      cores,
      db,
      fixture,
    );
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      say(`priming and verifying every server (${options.keys} keys each)`);
      for (const s of served)
        await primeAndVerify(s.server, s.info, s.fixture, agent);
      agent.destroy();
      if (figures.has('throughput')) {
        throughput = await measureThroughput(
          served,
          options,
          redis,
          clockTicks,
          cores.server,
          db?.dataSource,
          say,
        );
        // variant 2's own PostgreSQL backends run on that CPU too: not a neighbour
        const busiest = Math.max(
          0,
          ...throughput.samples
            .filter(
              (x) => !VARIANTS.find((v) => v.id === x.variant)?.usesDatabase,
            )
            .map((x) => x.serverCoreOtherPct || 0),
        );
        if (busiest > 10)
          problems.push(
            `other processes took up to ${Math.round(busiest)}% of the server's CPU during a round (see "other on server CPU"); throughput figures are less reliable`,
          );
        for (const x of throughput.summaries) {
          const info = VARIANTS.find((v) => v.id === x.variant);
          if (info?.cached && x.handlerRunsInRounds > 0)
            problems.push(
              `${x.variant}/${x.adapter}: the handler ran ${x.handlerRunsInRounds} times during the rounds (not all hits)`,
            );
        }
      }
      if (figures.has('roundtrips')) {
        say('round trips per hit (MONITOR probe)');
        roundTrips = await measureRoundTrips(served, fixture, redis, 200);
      }
      if (figures.has('stampede')) {
        say(
          `stampede: ${options.stampede.concurrency} concurrent cold requests, ${options.stampede.loaderMs} ms loader`,
        );
        stampede = await measureStampede(served, options);
        for (const s of stampede) {
          if (s.okResponses !== s.requests)
            problems.push(
              `stampede ${s.variant}/${s.adapter}: ${s.requests - s.okResponses} wrong or failed responses`,
            );
        }
      }
    } finally {
      await Promise.all(served.map((s) => s.server.stop()));
      for (const s of served) {
        for (const w of new Set(s.server.warnings))
          problems.push(`${s.server.name} logged: ${w}`);
      }
    }
  }

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
  const app =
    seedTable || mixedWorkload ? { seedTable, mixedWorkload } : undefined;

  const partial = {
    mode: options.mode,
    throughput,
    roundTrips,
    stampede,
    invalidation,
    memory,
    app,
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

function writeReports(results: BenchResults, dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  const md = join(dir, 'latest.md');
  const svg = join(dir, 'latest.svg');
  writeFileSync(md, renderMarkdown(results));
  writeFileSync(svg, renderSvg(results));
  return [md, svg];
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
