import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';

export const EMBEDDED_HOST = '127.0.0.1';
export const SUPERUSER = 'postgres';
/** The superuser's password, kept in the data directory it protects. */
const PASSWORD_FILE = 'lexikon.password';

export interface EmbeddedPostgresConnection {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
}

/** `postgres://user:password@host:port/database` */
export function postgresUrl(connection: EmbeddedPostgresConnection): string {
  const { username, password, host, port, database } = connection;
  return `postgres://${encodeURIComponent(username)}:${encodeURIComponent(password)}@${host}:${port}/${encodeURIComponent(database)}`;
}

/** Kept (owner-only) in a cluster created by the starter, read on later starts. */
export async function writeSuperuserPassword(
  dataDir: string,
  password: string,
): Promise<void> {
  await writeFile(join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
}

/** The superuser password of a cluster that the starter created. */
export async function readSuperuserPassword(dataDir: string): Promise<string> {
  try {
    return (await readFile(join(dataDir, PASSWORD_FILE), 'utf8')).trim();
  } catch {
    throw new Error(
      `${dataDir} holds a PostgreSQL cluster not created here (no ${PASSWORD_FILE}); remove it or use another data directory`,
    );
  }
}

/**
 * Creates `connection.database` unless it exists.
 *
 * @returns whether it was created
 */
export async function ensureDatabase(
  connection: EmbeddedPostgresConnection,
): Promise<boolean> {
  const { host, port, username, password, database } = connection;
  const client = new pg.Client({
    host,
    port,
    user: username,
    password,
    database: 'postgres',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query(
      'SELECT 1 FROM pg_database WHERE datname = $1',
      [database],
    );
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
    return true;
  } finally {
    await client.end();
  }
}

/** initdb needs an empty (or missing) directory. */
export async function assertCanInitialise(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  if ((await readdir(dataDir)).length > 0) {
    throw new Error(
      `${dataDir} is not empty and is not a PostgreSQL data directory; remove it or use another one`,
    );
  }
}
