/*
 * The PostgreSQL the bench uses: the server at BENCH_DATABASE_URL or
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), or, when
 * none answers, a throwaway one (test/support/throwaway-postgres.ts, as the
 * tests use). On it the bench creates its own database and drops it at the end.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessRunning } from '../../apps/api/src/database/embedded-postgres/process-state.js';
import {
  dropDatabase,
  findPgAdminUrl,
  pgUrlWithDatabase,
  quoteIdent,
  withPg,
} from '../../test/support/pg.js';
import { startThrowawayPostgres as startServer } from '../../test/support/throwaway-postgres.js';
import { onCleanup, trackPid, untrackPid } from './cleanup.js';
import { processCpuTicks } from './cpu.js';

export { redactUrl } from '../../test/support/pg.js';

const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The maintenance database's URL on the configured server, if it answers. */
export async function findAdminUrl(): Promise<{
  configured: string;
  adminUrl?: string;
}> {
  const configured =
    process.env.BENCH_DATABASE_URL ||
    process.env.DATABASE_URL ||
    DEFAULT_ADMIN_URL;
  return { configured, adminUrl: await findPgAdminUrl(configured) };
}

/**
 * Starts a throwaway PostgreSQL in a temporary directory, registered for
 * cleanup: fast shutdown, then the directory is removed. Returns its
 * maintenance URL.
 */
export async function startThrowawayPostgres(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'lexikon-bench-pg-'));
  const removeRoot = onCleanup('throwaway postgres directory', () =>
    rmSync(root, { recursive: true, force: true }),
  );
  const server = await startServer(root);
  // last resort: SIGKILLed if the runner exits before the cleanups ran
  trackPid(server.pid);
  removeRoot();
  onCleanup('throwaway postgres', async () => {
    await server.stop();
    untrackPid(server.pid);
    rmSync(root, { recursive: true, force: true });
  });
  return server.url;
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
  await withPg(adminUrl, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${prefix}%`],
    );
    for (const { datname } of rows) {
      const pid = Number(datname.slice(prefix.length));
      if (datname === name || (Number.isInteger(pid) && !isProcessRunning(pid)))
        await dropDatabase(admin, datname);
    }
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  });
  return {
    url: pgUrlWithDatabase(adminUrl, name),
    name,
    drop: () => withPg(adminUrl, (admin) => dropDatabase(admin, name)),
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
