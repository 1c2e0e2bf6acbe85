import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A throwaway database per e2e file, so that files can run in parallel.
 * Created on the PostgreSQL named by TEST_ADMIN_DATABASE_URL (default: the
 * local trust-auth server). Kept in this one file so that it can be swapped
 * for the shared test support later.
 */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

const ADMIN_URL =
  process.env.TEST_ADMIN_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/postgres';

async function withAdmin<T>(
  run: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `lexikon_test_${slug}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`),
  );
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () =>
      withAdmin(async (client) => {
        await client.query(
          `DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`,
        );
      }),
  };
}
