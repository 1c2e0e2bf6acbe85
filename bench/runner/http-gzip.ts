import { Agent } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { PAGE_TERMS, termPage } from '../data/pages.js';
import { makeTerms } from '../data/terms.js';
import type {
  GzipCase,
  GzipCaseSummary,
  HttpGzipResults,
} from '../report/results.js';
import { serverCpuDuring, type CorePlan } from '../support/cpu.js';
import { httpGet } from '../support/http.js';
import { round, spread } from '../support/stats.js';
import { runLoad } from './load.js';
import type { BenchOptions } from './options.js';
import { BenchServerProcess } from './server-process.js';

const PAGES = 20;

interface Case {
  readonly id: GzipCase;
  readonly label: string;
  readonly server: 'plain' | 'gzip';
  readonly headers: Readonly<Record<string, string>>;
}

const GZIP_CLIENT = { 'accept-encoding': 'gzip, deflate, br' };

const CASES: readonly Case[] = [
  {
    id: 'plain',
    label: 'httpCompression off',
    server: 'plain',
    headers: GZIP_CLIENT,
  },
  {
    id: 'gzip',
    label: 'httpCompression, client accepts gzip',
    server: 'gzip',
    headers: GZIP_CLIENT,
  },
  {
    id: 'gzip-identity-client',
    label: 'httpCompression, client without gzip',
    server: 'gzip',
    headers: {},
  },
];

/**
 * Fills every page, then checks that each case's hit answers the page's
 * JSON (gzip-encoded exactly when the case says so); the body size each
 * case sends. Throws on any difference.
 */
async function verify(
  url: string,
  c: Case,
  expected: readonly string[],
  agent: Agent,
): Promise<number> {
  let bodyBytes = 0;
  for (let pass = 0; pass < 2; pass++) {
    for (let n = 0; n < PAGES; n++) {
      const reply = await httpGet(
        `${url}/pages/${n}`,
        agent,
        10_000,
        c.headers,
      );
      const where = `gzip figure, ${c.label}, page ${n}`;
      if (reply.status !== 200)
        throw new Error(`${where}: status ${reply.status}`);
      const zipped = reply.headers['content-encoding'] === 'gzip';
      if (zipped !== (c.id === 'gzip'))
        throw new Error(
          `${where}: Content-Encoding ${String(reply.headers['content-encoding'])}`,
        );
      const text = (zipped ? gunzipSync(reply.bytes) : reply.bytes).toString(
        'utf8',
      );
      if (text !== expected[n])
        throw new Error(`${where}: the body differs from the page's JSON`);
      if (pass === 1 && reply.headers['x-cache'] !== 'HIT')
        throw new Error(`${where}: not a hit on the second pass`);
      bodyBytes = reply.bytes.length;
    }
  }
  return bodyBytes;
}

/**
 * A ~36 KB JSON answer (a page of 70 terms, the size of the seed's project
 * terms) hit on Redis through Fastify: `httpCompression` off, on with a
 * client that accepts gzip (the stored bytes sent as they are), and on
 * with a client that does not (inflated per hit). Rounds interleave the
 * three; every figure is a hit.
 */
export async function measureHttpGzip(
  redisUrl: string,
  options: BenchOptions,
  cores: CorePlan,
  clockTicks: number,
  say: (line: string) => void,
): Promise<HttpGzipResults> {
  const adapter = 'fastify';
  const terms = makeTerms(options.keys);
  const expected = Array.from({ length: PAGES }, (_, n) =>
    JSON.stringify(termPage(terms, n)),
  );
  const start = (httpGzip: boolean) =>
    BenchServerProcess.start(
      {
        variant: 'lexikon-pages',
        adapter,
        redisUrl,
        termCount: options.keys,
        slowMs: options.stampede.loaderMs,
        ttlSeconds: 24 * 3600,
        httpGzip,
      },
      cores.server,
    );
  const servers = { plain: await start(false), gzip: await start(true) };
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const paths = Array.from({ length: PAGES }, (_, n) => `/pages/${n}`);
  try {
    const bodyBytes = new Map<GzipCase, number>();
    for (const c of CASES)
      bodyBytes.set(
        c.id,
        await verify(servers[c.server].url, c, expected, agent),
      );
    say(
      `gzip figure: ${PAGES} pages of ${PAGE_TERMS} terms (${expected[0].length} B of JSON), warming up`,
    );
    for (const c of CASES)
      await runLoad(servers[c.server].url, paths, {
        connections: options.connections,
        durationSec: options.warmupSec,
        headers: c.headers,
      });
    const rounds = new Map<
      GzipCase,
      { rps: number; cpu: number; other: number; bytes: number }[]
    >();
    for (let r = 1; r <= options.rounds; r++) {
      for (const c of CASES) {
        const server = servers[c.server];
        server.assertRunning();
        const m = await serverCpuDuring(server.pid, cores.server, () =>
          runLoad(server.url, paths, {
            connections: options.connections,
            durationSec: options.durationSec,
            headers: c.headers,
          }),
        );
        const load = m.result;
        if (load.non2xx > 0 || load.errors > 0 || load.timeouts > 0)
          throw new Error(
            `gzip figure, ${c.label}: ${load.non2xx} non-2xx, ${load.errors + load.timeouts} errors`,
          );
        const cpu =
          ((m.cpuTicks / clockTicks) * 1e6) / Math.max(load.requests, 1);
        const sample = {
          rps: load.rps,
          cpu,
          other: m.otherPct,
          bytes: load.bytesPerResponse,
        };
        rounds.set(c.id, [...(rounds.get(c.id) ?? []), sample]);
        say(
          `gzip round ${r}/${options.rounds} ${c.label.padEnd(38)} ${String(Math.round(load.rps)).padStart(6)} req/s  ${cpu.toFixed(1)} µs CPU/req  ${Math.round(load.bytesPerResponse)} B/response  other on server CPU ${round(m.otherPct, 1)}%`,
        );
      }
    }
    const cases: GzipCaseSummary[] = CASES.map((c) => {
      const xs = rounds.get(c.id) ?? [];
      return {
        case: c.id,
        rps: spread(xs.map((x) => round(x.rps, 0))),
        cpuUsPerReq: spread(xs.map((x) => round(x.cpu, 1))),
        serverCoreOtherPct: spread(xs.map((x) => round(x.other, 1))),
        wireBytesPerReq: round(spread(xs.map((x) => x.bytes)).median, 0),
        bodyBytes: bodyBytes.get(c.id) ?? NaN,
      };
    });
    const plain = rounds.get('plain') ?? [];
    const cpuVsPlain: Record<string, ReturnType<typeof spread>> = {};
    for (const c of CASES.slice(1)) {
      const xs = rounds.get(c.id) ?? [];
      cpuVsPlain[c.id] = spread(
        xs.map((x, i) => round(x.cpu / plain[i].cpu, 3)),
      );
    }
    return {
      adapter,
      pageTerms: PAGE_TERMS,
      pages: PAGES,
      jsonBytes: expected[0].length,
      cases,
      cpuVsPlain,
    };
  } finally {
    agent.destroy();
    await Promise.all([servers.plain.stop(), servers.gzip.stop()]);
  }
}
