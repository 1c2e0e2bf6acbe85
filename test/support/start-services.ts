import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { StartedPostgres } from '../../apps/api/src/database/embedded-postgres/postgres-starter.js';
import {
  findPgAdminUrl,
  pgUrlWithDatabase,
  quoteIdent,
  redactUrl,
  withPg,
} from './pg.js';
import { RedisServerProcess } from './redis-server.js';
import {
  RUN_DIR_ENV,
  RUN_ID_ENV,
  writeRunState,
  type RunState,
} from './test-run.js';
import { startThrowawayPostgres } from './throwaway-postgres.js';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Whether a Redis answers PING at `url` (with its password, TLS, ...). */
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
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The fulfilled values; or one error naming every failure, the rest stopped. */
async function allOrNone(
  redis: PromiseSettledResult<RedisServerProcess | undefined>,
  postgres: PromiseSettledResult<StartedPostgres | undefined>,
): Promise<[RedisServerProcess | undefined, StartedPostgres | undefined]> {
  if (redis.status === 'fulfilled' && postgres.status === 'fulfilled') {
    return [redis.value, postgres.value];
  }
  if (redis.status === 'fulfilled') await redis.value?.stop();
  if (postgres.status === 'fulfilled') await postgres.value?.stop();
  const problems = [redis, postgres]
    .filter((result) => result.status === 'rejected')
    .map((result) => String(result.reason));
  throw new Error(
    `Test services unavailable: ${problems.join('; ')}. Install redis-server ` +
      '(Debian/Ubuntu: apt-get install redis-server) and the dev ' +
      'dependencies (npm ci), or set REDIS_URL / DATABASE_URL to running servers.',
  );
}

/**
 * Jest globalSetup (through global-setup.ts): uses the Redis and PostgreSQL
 * at REDIS_URL / DATABASE_URL when they answer, else starts throwaway ones
 * (redis-server from PATH, PostgreSQL from the embedded-postgres binaries),
 * creates the run's database and hands the URLs to the workers through the
 * environment (read them with services.ts). global-teardown.ts stops what
 * was started, as listed in the run's state.
 */
export async function startServices(): Promise<void> {
  const runId = randomBytes(4).toString('hex');
  const runDir = mkdtempSync(join(tmpdir(), 'lexikon-test-'));
  process.env[RUN_ID_ENV] = runId;
  process.env[RUN_DIR_ENV] = runDir;
  const state: RunState = { runId, started: [], postgresStarted: false };
  writeRunState(runDir, state);

  let started: [RedisServerProcess | undefined, StartedPostgres | undefined] = [
    undefined,
    undefined,
  ];
  try {
    const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
    const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
    const [redisUp, existingAdminUrl] = await Promise.all([
      redisAnswers(redisUrl),
      findPgAdminUrl(databaseUrl),
    ]);
    const [redisStart, postgresStart] = await Promise.allSettled([
      redisUp ? undefined : RedisServerProcess.start(),
      existingAdminUrl ? undefined : startThrowawayPostgres(runDir),
    ]);
    started = await allOrNone(redisStart, postgresStart);
    const [redis, postgres] = started;
    if (redis?.pid) {
      state.started.push({
        name: 'redis-server',
        pid: redis.pid,
        stopSignal: 'SIGTERM',
      });
    }
    if (postgres) {
      // SIGINT: PostgreSQL's fast shutdown (SIGTERM waits for clients to leave)
      state.started.push({
        name: 'postgres',
        pid: postgres.pid,
        stopSignal: 'SIGINT',
      });
    }
    state.postgresStarted = postgres !== undefined;
    writeRunState(runDir, state);

    const adminUrl = postgres?.url ?? existingAdminUrl;
    if (!adminUrl) throw new Error('no PostgreSQL was found or started');
    // named for the run, so that runs from several checkouts can share a
    // server; global-teardown.ts drops it with the run's other databases
    const testDatabase = `lexikon_test_${runId}_suite`;
    await withPg(adminUrl, (admin) =>
      admin.query(`CREATE DATABASE ${quoteIdent(testDatabase)}`),
    );
    const testRedisUrl = redis?.url ?? redisUrl;
    const testDatabaseUrl = pgUrlWithDatabase(adminUrl, testDatabase);
    process.env.TEST_REDIS_URL = testRedisUrl;
    process.env.TEST_DATABASE_URL = testDatabaseUrl;
    process.env.TEST_PG_ADMIN_URL = adminUrl;
    process.stderr.write(
      `\nTest services: Redis ${redactUrl(testRedisUrl)} (${redis ? 'started' : 'existing'}), ` +
        `PostgreSQL ${redactUrl(testDatabaseUrl)} (${postgres ? 'started from embedded-postgres' : 'existing'})\n`,
    );
  } catch (error) {
    await Promise.all([started[0]?.stop(), started[1]?.stop()]);
    rmSync(runDir, { recursive: true, force: true });
    throw error;
  }
}
