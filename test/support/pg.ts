import pgModule from 'pg';

export { redactUrl } from '../../apps/api/src/common/net/redact-url.js';

export interface PgClient {
  connect(): Promise<unknown>;
  query<Row = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface PgModule {
  Client: new (config: {
    connectionString: string;
    connectionTimeoutMillis?: number;
  }) => PgClient;
}

const pg = pgModule as unknown as PgModule;

/** A connected `pg` Client; the caller must `end()` it. */
export async function connectPg(
  url: string,
  timeoutMs = 2000,
): Promise<PgClient> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: timeoutMs,
  });
  // a server-side disconnect must not crash the test process
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return client;
}

/** Runs `fn` with a fresh connection to `url` and always closes it. */
export async function withPg<T>(
  url: string,
  fn: (client: PgClient) => Promise<T>,
): Promise<T> {
  const client = await connectPg(url);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `url` with the database (path) replaced. */
export function pgUrlWithDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function connects(url: string): Promise<boolean> {
  try {
    await (await connectPg(url)).end();
    return true;
  } catch {
    return false;
  }
}

/**
 * The URL of the maintenance database (`postgres`) on the server at `url`,
 * for CREATE/DROP DATABASE; `url` itself when only that connects; undefined
 * when nothing answers there.
 */
export async function findPgAdminUrl(url: string): Promise<string | undefined> {
  if (!(await connects(url))) return undefined;
  const maintenance = pgUrlWithDatabase(url, 'postgres');
  return maintenance !== url && (await connects(maintenance))
    ? maintenance
    : url;
}

/** Drops `name` even while clients are connected to it (they are cut off). */
export async function dropDatabase(
  admin: PgClient,
  name: string,
): Promise<void> {
  const { rows } = await admin.query<{ v: string }>(
    "SELECT current_setting('server_version_num') AS v",
  );
  if (Number(rows[0]?.v) >= 130000) {
    await admin.query(
      `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`,
    );
    return;
  }
  await admin.query(
    'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
    [name],
  );
  await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
}
