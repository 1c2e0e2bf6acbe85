import { randomInt } from 'node:crypto';
import { dropDatabase, pgUrlWithDatabase, quoteIdent, withPg } from './pg.js';
import { testPgAdminUrl } from './services.js';
import { testRunId } from './test-run.js';

export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Terminates its connections and drops it; safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Prefix of every database createTestDatabase() makes; global-teardown.ts
 * drops the run's leftovers (`lexikon_test_<run id>_...`).
 */
export const TEST_DATABASE_PREFIX = 'lexikon_test_';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function randomChars(count: number): string {
  let text = '';
  for (let i = 0; i < count; i++) text += ALPHABET[randomInt(ALPHABET.length)];
  return text;
}

/**
 * Creates a fresh, uniquely named database on the test PostgreSQL server
 * (`lexikon_test_<run>_<label>_<random>`), so test files running in parallel
 * don't share tables. Drop it in afterAll.
 */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const adminUrl = testPgAdminUrl();
  const cleanLabel = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  const run = testRunId() ?? 'norun';
  const suffix = `_${randomChars(8)}`;
  const head = `${TEST_DATABASE_PREFIX}${run}_${cleanLabel || 'db'}`;
  // PostgreSQL truncates identifiers at 63 bytes
  const name = head.slice(0, 63 - suffix.length) + suffix;

  await withPg(adminUrl, (admin) =>
    admin.query(`CREATE DATABASE ${quoteIdent(name)}`),
  );

  let dropped: Promise<void> | undefined;
  return {
    name,
    url: pgUrlWithDatabase(adminUrl, name),
    drop: () => {
      dropped ??= withPg(adminUrl, (admin) => dropDatabase(admin, name)).catch(
        (error: unknown) => {
          dropped = undefined; // let a later call try again
          throw error;
        },
      );
      return dropped;
    },
  };
}
