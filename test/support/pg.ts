import pgModule from 'pg';

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
