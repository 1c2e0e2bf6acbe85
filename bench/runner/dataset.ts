import { DataSource, In } from 'typeorm';
import { createDataSourceOptions } from '../../apps/api/src/database/data-source-options.js';
import { seedLargeData } from '../../apps/api/src/database/seed/large-data.js';
import { Term } from '../../apps/api/src/terms/term.entity.js';
import { toTermView } from '../../apps/api/src/terms/term.view.js';
import type { DatasetInfo } from '../report/results.js';
import { onCleanup } from '../support/cleanup.js';
import {
  createRunDatabase,
  findAdminUrl,
  redactUrl,
  startThrowawayPostgres,
} from '../support/postgres.js';
import type { TermFixture } from './fixture.js';
import { DATASETS, type BenchOptions } from './options.js';

/** The bench's own database, migrated and loaded with apps/api's generated data. */
export interface BenchDatabase {
  /** URL of the run's database (give it to servers as DATABASE_URL). */
  readonly url: string;
  /** The runner's own connection (fixtures, pg_stat_activity). */
  readonly dataSource: DataSource;
  readonly info: DatasetInfo;
}

const DATABASE_PREFIX = 'lexikon_bench_';

/**
 * Finds PostgreSQL (or starts a throwaway one), creates the run's database,
 * runs the API's migrations and loads the data set with the API's own
 * generator (`seedLargeData`, what `npm run seed:large` runs). Everything is
 * registered for cleanup: the database is dropped at the end of the run.
 */
export async function openBenchDatabase(
  options: BenchOptions,
  say: (line: string) => void,
): Promise<BenchDatabase> {
  const found = await findAdminUrl();
  let adminUrl = found.adminUrl;
  let server: DatasetInfo['server'] = 'existing';
  if (!adminUrl) {
    say(
      `no PostgreSQL at ${redactUrl(found.configured)}: starting a throwaway one`,
    );
    adminUrl = await startThrowawayPostgres();
    server = 'throwaway';
  }
  const db = await createRunDatabase(adminUrl, DATABASE_PREFIX);
  onCleanup(`drop database ${db.name}`, () => db.drop());
  const dataSource = new DataSource({
    ...createDataSourceOptions({ url: db.url }),
    applicationName: 'lexikon-bench-runner',
    logging: ['error'],
    maxQueryExecutionTime: undefined,
  });
  await dataSource.initialize(); // runs the API's migrations
  onCleanup('bench database connection', () => dataSource.destroy());
  const sizes = DATASETS[options.dataset];
  const seeded = await seedLargeData(dataSource, sizes);
  const version = await dataSource.query<{ v: string }[]>(
    "SELECT current_setting('server_version') AS v",
  );
  const info: DatasetInfo = {
    name: options.dataset,
    ...sizes,
    seedMs: seeded.elapsedMs,
    postgres: version[0]?.v ?? '?',
    server,
    database: db.name,
  };
  say(
    `PostgreSQL ${info.postgres} (${server}) at ${redactUrl(db.url)}: ${options.dataset} data set (${sizes.users} users, ${sizes.projects} projects, ${sizes.terms} terms) generated in ${(seeded.elapsedMs / 1000).toFixed(1)} s`,
  );
  return { url: db.url, dataSource, info };
}

/**
 * `count` term paths of the data set (a fixed pseudo-random sample spread
 * over the table) and the body the API's view mapping gives each: what
 * variant 2 must answer, byte for byte.
 */
export async function databaseTermFixture(
  db: BenchDatabase,
  count: number,
): Promise<TermFixture> {
  const rows = await db.dataSource.query<{ id: string }[]>(
    'SELECT id FROM terms ORDER BY md5(id::text) LIMIT $1',
    [count],
  );
  const ids = rows.map((r) => r.id);
  const terms = await db.dataSource.getRepository(Term).findBy({ id: In(ids) });
  const byId = new Map(terms.map((t) => [t.id, t]));
  return {
    paths: ids.map((id) => `/terms/${id}`),
    bodies: ids.map((id) => {
      const term = byId.get(id);
      if (!term) throw new Error(`term ${id} vanished`);
      return JSON.stringify(toTermView(term));
    }),
  };
}
