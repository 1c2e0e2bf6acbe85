import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { Redis } from 'ioredis';
import { benchApiKey } from '../../apps/api/src/database/seed/large-data.js';
import { ENVIRONMENT_VARIABLES } from '../../apps/api/src/config/environment.js';
import { prng } from '../data/terms.js';
import type {
  MixedKindCount,
  MixedMode,
  MixedModeSummary,
  MixedRound,
  MixedWorkloadResults,
} from '../report/results.js';
import type { ApiServerConfig } from '../server/api-server.js';
import { onCleanup } from '../support/cleanup.js';
import { coreTicks, processCpuTicks } from '../support/cpu.js';
import { backendTicks, backendTicksUsed } from '../support/postgres.js';
import {
  type CommandCounts,
  commandCounts,
  diffCounts,
  perUnit,
  totalCount,
} from '../support/redis-stats.js';
import { LatencyHistogram, round, sleep, spread } from '../support/stats.js';
import type { BenchDatabase } from './dataset.js';
import type { BenchOptions } from './options.js';
import { ServerProcess } from './server-process.js';
import { ZipfSampler } from './zipf.js';

const API_ENTRY = fileURLToPath(
  new URL('../server/api-server.js', import.meta.url),
);
/** The application name the API's data source gives its connections. */
const API_APPLICATION_NAME = 'lexikon-api';

interface Kind {
  readonly kind: string;
  /** Share among reads (reads) or among writes (writes). */
  readonly weight: number;
  readonly write: boolean;
}

/** The request mix: reads share 1 - writeShare, writes writeShare. */
const KINDS: readonly Kind[] = [
  { kind: 'GET /terms/:id', weight: 0.35, write: false },
  { kind: 'GET /projects/:id', weight: 0.15, write: false },
  { kind: 'GET /projects/:id/terms', weight: 0.15, write: false },
  { kind: 'GET /users/:id', weight: 0.15, write: false },
  { kind: 'GET /users/me', weight: 0.1, write: false },
  { kind: 'GET /terms/search?q=', weight: 0.1, write: false },
  { kind: 'PATCH /terms/:id (name, by its creator)', weight: 0.6, write: true },
  {
    kind: 'PATCH /projects/:id (name, by its owner)',
    weight: 0.4,
    write: true,
  },
];

interface Population {
  readonly users: { id: string; key: string }[];
  readonly projects: { id: string; owner: number; words: string[] }[];
  readonly terms: {
    id: string;
    project: number;
    creator: number;
    name: string;
  }[];
}

/** Every user (with their API key), project (owner, search words) and term of the data set. */
async function loadPopulation(db: BenchDatabase): Promise<Population> {
  const ds = db.dataSource;
  const userRows = await ds.query<{ id: string; email: string }[]>(
    'SELECT id, email FROM users ORDER BY created_at, id',
  );
  const userIndex = new Map<string, number>();
  const users = userRows.map((u, i) => {
    const n = /^bench-user-(\d+)@/.exec(u.email)?.[1];
    if (!n) throw new Error(`not a generated user: ${u.email}`);
    userIndex.set(u.id, i);
    return { id: u.id, key: benchApiKey(Number(n)) };
  });
  const projectRows = await ds.query<{ id: string; owner_id: string }[]>(
    'SELECT id, owner_id FROM projects ORDER BY created_at, id',
  );
  const projectIndex = new Map<string, number>();
  const projects = projectRows.map((p, i) => {
    projectIndex.set(p.id, i);
    return {
      id: p.id,
      owner: userIndex.get(p.owner_id) ?? -1,
      words: [] as string[],
    };
  });
  const termRows = await ds.query<
    { id: string; project_id: string; created_by_id: string; name: string }[]
  >(
    'SELECT id, project_id, created_by_id, name FROM terms ORDER BY created_at, id',
  );
  const words = projects.map(() => new Set<string>());
  const terms = termRows.map((t) => {
    const project = projectIndex.get(t.project_id) ?? -1;
    const word = t.name.split(' ')[1]?.toLowerCase();
    if (word && project >= 0) words[project].add(word);
    return {
      id: t.id,
      project,
      creator: userIndex.get(t.created_by_id) ?? -1,
      name: t.name,
    };
  });
  projects.forEach((p, i) => p.words.push(...[...words[i]].sort()));
  return { users, projects, terms };
}

interface NextRequest {
  readonly kind: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

/**
 * Draws the requests: the kind by the mix; ids by Zipf popularity (its own
 * ranking per role); reads by a Zipf-popular caller, searches and writes by
 * the owner (creator) of what they touch, with that user's API key.
 */
class MixedGenerator {
  private readonly rand: () => number;
  private readonly cumulative: number[] = [];
  private readonly callers: ZipfSampler;
  private readonly profiles: ZipfSampler;
  private readonly projects: ZipfSampler;
  private readonly terms: ZipfSampler;
  private revision = 0;

  constructor(
    private readonly pop: Population,
    s: number,
    writeShare: number,
    seed: number,
  ) {
    this.rand = prng(seed);
    const shuffle = prng(seed + 1);
    this.callers = new ZipfSampler(pop.users.length, s, this.rand, shuffle);
    this.profiles = new ZipfSampler(pop.users.length, s, this.rand, shuffle);
    this.projects = new ZipfSampler(pop.projects.length, s, this.rand, shuffle);
    this.terms = new ZipfSampler(pop.terms.length, s, this.rand, shuffle);
    let sum = 0;
    for (const k of KINDS) {
      sum += k.weight * (k.write ? writeShare : 1 - writeShare);
      this.cumulative.push(sum);
    }
  }

  static shares(writeShare: number): { kind: string; share: number }[] {
    return KINDS.map((k) => ({
      kind: k.kind,
      share: round(k.weight * (k.write ? writeShare : 1 - writeShare), 4),
    }));
  }

  private auth(user: number): Record<string, string> {
    return { authorization: `Bearer ${this.pop.users[user].key}` };
  }

  next(): NextRequest {
    const u = this.rand() * this.cumulative[this.cumulative.length - 1];
    let kind = this.cumulative.findIndex((c) => u < c);
    if (kind < 0) kind = KINDS.length - 1;
    const caller = () => this.auth(this.callers.next());
    const get = (path: string, headers: Record<string, string>) => ({
      kind,
      method: 'GET',
      path,
      headers,
    });
    switch (kind) {
      case 0:
        return get(`/terms/${this.pop.terms[this.terms.next()].id}`, caller());
      case 1:
        return get(
          `/projects/${this.pop.projects[this.projects.next()].id}`,
          caller(),
        );
      case 2:
        return get(
          `/projects/${this.pop.projects[this.projects.next()].id}/terms`,
          caller(),
        );
      case 3:
        return get(
          `/users/${this.pop.users[this.profiles.next()].id}`,
          caller(),
        );
      case 4:
        return get('/users/me', caller());
      case 5: {
        const p = this.pop.projects[this.projects.next()];
        const q = p.words[Math.floor(this.rand() * p.words.length)] ?? 'a';
        return get(
          `/terms/search?q=${encodeURIComponent(q)}`,
          this.auth(p.owner),
        );
      }
      case 6: {
        const t = this.pop.terms[this.terms.next()];
        return {
          kind,
          method: 'PATCH',
          path: `/terms/${t.id}`,
          headers: {
            ...this.auth(t.creator),
            'content-type': 'application/json',
          },
          body: JSON.stringify({ name: `${t.name} rev ${++this.revision}` }),
        };
      }
      default: {
        const i = this.projects.next();
        const p = this.pop.projects[i];
        return {
          kind,
          method: 'PATCH',
          path: `/projects/${p.id}`,
          headers: {
            ...this.auth(p.owner),
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            name: `Bench project ${i + 1} rev ${++this.revision}`,
          }),
        };
      }
    }
  }
}

interface Tally {
  requests: number;
  hits: number;
  misses: number;
  bypasses: number;
  noHeader: number;
  ms: number;
}

interface LoadOutcome {
  readonly requests: number;
  readonly durationSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly tallies: Tally[];
}

/** Drives the API with the generator for `durationSec`, counting X-Cache answers per kind. */
async function runMixedLoad(
  url: string,
  generator: MixedGenerator,
  connections: number,
  durationSec: number,
): Promise<LoadOutcome> {
  const histogram = new LatencyHistogram();
  const tallies: Tally[] = KINDS.map(() => ({
    requests: 0,
    hits: 0,
    misses: 0,
    bypasses: 0,
    noHeader: 0,
    ms: 0,
  }));
  const statuses: Record<string, number> = {};
  let lastKind = 0;
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    duration: durationSec,
    timeout: 10,
    requests: [
      {
        setupRequest: (req, context) => {
          const r = generator.next();
          context.kind = r.kind;
          return {
            ...req,
            method: r.method,
            path: r.path,
            headers: r.headers,
            body: r.body ?? '',
          };
        },
        onResponse: (status, _body, context, headers) => {
          const kind = typeof context.kind === 'number' ? context.kind : 0;
          lastKind = kind;
          statuses[status] = (statuses[status] ?? 0) + 1;
          const t = tallies[kind];
          t.requests++;
          const x = headers['x-cache'] ?? headers['X-Cache'];
          if (x === 'HIT') t.hits++;
          else if (x === 'MISS') t.misses++;
          else if (x === 'BYPASS') t.bypasses++;
          else t.noHeader++;
        },
      },
    ],
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    histogram.record(responseTime);
    tallies[lastKind].ms += responseTime;
  });
  // on Ctrl-C the load stops before the servers do
  const unregister = onCleanup('mixed load', () => instance.stop());
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    unregister();
  }
  return {
    requests: result.requests.total,
    durationSec: result.duration,
    p50Ms: histogram.quantile(0.5),
    p99Ms: histogram.quantile(0.99),
    statuses,
    errors: result.errors + result.timeouts,
    tallies,
  };
}

function apiEnv(
  mode: MixedMode,
  db: BenchDatabase,
  redisUrl: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // nothing of the caller's API configuration leaks in
  for (const name of ENVIRONMENT_VARIABLES) delete env[name];
  return {
    ...env,
    NODE_ENV: 'production',
    PORT: '0',
    DATABASE_URL: db.url,
    ...(mode === 'cache'
      ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: 'bench:api:' }
      : {}),
    LOG_LEVEL: 'warn',
    SHUTDOWN_READY_DELAY_MS: '0',
    SHUTDOWN_DRAIN_MS: '2000',
  };
}

function hitCounts(tallies: readonly Tally[]) {
  let hits = 0;
  let misses = 0;
  let bypasses = 0;
  let noHeader = 0;
  let writes = 0;
  tallies.forEach((t, i) => {
    if (KINDS[i].write) {
      writes += t.requests;
      return;
    }
    hits += t.hits;
    misses += t.misses;
    bypasses += t.bypasses;
    noHeader += t.noHeader;
  });
  return { hits, misses, bypasses, noHeader, writes };
}

function kindCounts(tallies: readonly Tally[]): MixedKindCount[] {
  return tallies.map((t, i) => ({
    kind: KINDS[i].kind,
    requests: t.requests,
    hits: t.hits,
    misses: t.misses,
    bypasses: t.bypasses,
    meanMs: round(t.requests ? t.ms / t.requests : NaN, 2),
  }));
}

function sumTallies(all: readonly (readonly Tally[])[]): Tally[] {
  return KINDS.map((_, i) =>
    all.reduce(
      (a, t) => ({
        requests: a.requests + t[i].requests,
        hits: a.hits + t[i].hits,
        misses: a.misses + t[i].misses,
        bypasses: a.bypasses + t[i].bypasses,
        noHeader: a.noHeader + t[i].noHeader,
        ms: a.ms + t[i].ms,
      }),
      { requests: 0, hits: 0, misses: 0, bypasses: 0, noHeader: 0, ms: 0 },
    ),
  );
}

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
