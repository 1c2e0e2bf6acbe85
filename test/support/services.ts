// URLs of the Redis and PostgreSQL the test run uses. global-setup.ts finds
// or starts the servers and sets these variables before any worker starts;
// jest workers inherit the environment of the jest process.

function required(name: string, what: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set, so there is no test ${what}: run tests through ` +
        "jest with the repository's jest.config.js (npm test), whose " +
        'globalSetup (test/support/global-setup.ts) finds or starts Redis ' +
        'and PostgreSQL and sets it.',
    );
  }
  return value;
}

/** Redis for tests, e.g. redis://127.0.0.1:6379. Use uniquePrefix() keys only. */
export function testRedisUrl(): string {
  return required('TEST_REDIS_URL', 'Redis');
}

/** The run's own database (lexikon_test_<run id>_suite), dropped with the run. */
export function testDatabaseUrl(): string {
  return required('TEST_DATABASE_URL', 'database');
}

/** The PostgreSQL server's maintenance database, for CREATE/DROP DATABASE. */
export function testPgAdminUrl(): string {
  return required('TEST_PG_ADMIN_URL', 'PostgreSQL server');
}
