import { ConfigValidationError } from './config-validation.error.js';
import { loadConfiguration, logLevelsFrom } from './configuration.js';
import { validateEnvironment } from './environment.js';

function problemOf(env: Record<string, string>): string {
  try {
    validateEnvironment(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigValidationError);
    return (error as Error).message;
  }
  throw new Error('expected the environment to be rejected');
}

describe('validateEnvironment', () => {
  it('applies the defaults to an empty environment', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      DB_PORT: 5432,
      DB_USER: 'postgres',
      DB_NAME: 'lexikon',
      REDIS_PORT: 6379,
      REDIS_DB: 0,
      REDIS_DEFAULT_TTL: 3600,
      REDIS_KEY_PREFIX: 'lexikon:',
      REDIS_COMMAND_TIMEOUT_MS: 250,
      CACHE_REQUIRED_FOR_READINESS: false,
      CACHE_SENSITIVE_GUARD: 'warn',
      CACHE_L1: true,
      CACHE_HTTP_GZIP: true,
      CACHE_L1_MAX_ENTRIES: 10_000,
      SHUTDOWN_READY_DELAY_MS: 1000,
      SHUTDOWN_DRAIN_MS: 10_000,
      EMBEDDED_PG_DIR: '.data/postgres',
      BODY_LIMIT_BYTES: 1_048_576,
      LOG_LEVEL: 'log',
      METRICS_ENABLED: true,
      DB_CONNECT_TIMEOUT_MS: 1000,
      DB_QUERY_TIMEOUT_MS: 2500,
      DB_STATEMENT_TIMEOUT_MS: 2000,
      DB_TRANSACTION_TIMEOUT_MS: 3500,
      DB_RETRY_AFTER_SECONDS: 5,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_HOST).toBeUndefined();
    expect(loadConfiguration({}).redis.enabled).toBe(false);
    expect(env.REDIS_URL).toBeUndefined();
  });

  it('parses valid values', () => {
    const env = validateEnvironment({
      PORT: '8080',
      REDIS_PORT: ' 6380 ',
      REDIS_DEFAULT_TTL: '60',
      CACHE_REQUIRED_FOR_READINESS: 'TRUE',
      CACHE_SENSITIVE_GUARD: 'strict',
      LOG_LEVEL: 'debug',
      METRICS_ENABLED: 'off',
      DATABASE_URL: 'postgresql://u:p@db:5432/app',
      REDIS_URL: 'rediss://:pw@cache:6390/2',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      REDIS_PORT: 6380,
      REDIS_DEFAULT_TTL: 60,
      CACHE_REQUIRED_FOR_READINESS: true,
      CACHE_SENSITIVE_GUARD: 'strict',
      LOG_LEVEL: 'debug',
      METRICS_ENABLED: false,
    });
  });

  it('treats empty variables as unset', () => {
    expect(validateEnvironment({ PORT: '', DATABASE_URL: '' })).toMatchObject({
      PORT: 3000,
    });
  });

  it('ignores variables it does not know', () => {
    expect(() =>
      validateEnvironment({ HOME: '/root', PATH: '/bin' }),
    ).not.toThrow();
  });

  it.each([
    ['REDIS_PORT', 'abc', 'REDIS_PORT must be an integer between 1 and 65535'],
    ['REDIS_PORT', '0', 'REDIS_PORT must be an integer between 1 and 65535'],
    [
      'REDIS_PORT',
      '65536',
      'REDIS_PORT must be an integer between 1 and 65535',
    ],
    [
      'REDIS_PORT',
      '12abc',
      'REDIS_PORT must be an integer between 1 and 65535',
    ],
    ['PORT', '3000.5', 'PORT must be an integer between 0 and 65535'],
    ['DB_PORT', '1e3', 'DB_PORT must be an integer between 1 and 65535'],
    [
      'REDIS_DEFAULT_TTL',
      '0',
      'REDIS_DEFAULT_TTL must be an integer of at least 1',
    ],
    [
      'REDIS_DEFAULT_TTL',
      '-5',
      'REDIS_DEFAULT_TTL must be an integer of at least 1',
    ],
    ['REDIS_DB', '-1', 'REDIS_DB must be a non-negative integer'],
    [
      'REDIS_COMMAND_TIMEOUT_MS',
      'fast',
      'REDIS_COMMAND_TIMEOUT_MS must be an integer of at least 1',
    ],
    [
      'SHUTDOWN_READY_DELAY_MS',
      '1.5',
      'SHUTDOWN_READY_DELAY_MS must be a non-negative integer',
    ],
    [
      'SHUTDOWN_DRAIN_MS',
      '-1',
      'SHUTDOWN_DRAIN_MS must be a non-negative integer',
    ],
    [
      'BODY_LIMIT_BYTES',
      '1mb',
      'BODY_LIMIT_BYTES must be an integer of at least 1',
    ],
    [
      'CACHE_REQUIRED_FOR_READINESS',
      'maybe',
      'CACHE_REQUIRED_FOR_READINESS must be true or false',
    ],
    [
      'CACHE_SENSITIVE_GUARD',
      'loud',
      'CACHE_SENSITIVE_GUARD must be one of: warn, strict, off',
    ],
    ['CACHE_L1', 'yes please', 'CACHE_L1 must be true or false'],
    ['CACHE_HTTP_GZIP', 'gzip', 'CACHE_HTTP_GZIP must be true or false'],
    ['CACHE_GRACE', '600', 'CACHE_GRACE must be a duration with its unit'],
    ['CACHE_GRACE', '10 minutes', 'CACHE_GRACE must be a duration'],
    ['CACHE_GRACE', '-1m', 'CACHE_GRACE must be a duration'],
    [
      'CACHE_GRACE',
      '30d',
      'CACHE_GRACE must be a duration with its unit (500ms, 30s, 10m, 2h, 1d) of at most 24d, or 0 or off',
    ],
    ['CACHE_SOFT_TIMEOUT', '1.5s', 'CACHE_SOFT_TIMEOUT must be a duration'],
    [
      'CACHE_SOFT_TIMEOUT',
      '2h',
      'CACHE_SOFT_TIMEOUT must be a duration with its unit (500ms, 30s, 10m, 2h, 1d) of at most 1h, or 0 or off',
    ],
    [
      'CACHE_L1_MAX_ENTRIES',
      '0',
      'CACHE_L1_MAX_ENTRIES must be an integer of at least 1',
    ],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of:'],
    ['METRICS_ENABLED', 'sometimes', 'METRICS_ENABLED must be true or false'],
    [
      'DATABASE_URL',
      'mysql://h/db',
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
    ],
    [
      'DATABASE_URL',
      'not a url',
      'DATABASE_URL must be a postgres:// or postgresql:// URL',
    ],
    [
      'REDIS_URL',
      'http://cache',
      'REDIS_URL must be a redis:// or rediss:// URL',
    ],
    [
      'REDIS_URL',
      'redis://cache/x',
      'REDIS_URL must name the database as a number',
    ],
    ['REDIS_KEY_PREFIX', 'a b', 'REDIS_KEY_PREFIX must be 1 to 64 characters'],
    [
      'REDIS_KEY_PREFIX',
      'app:*',
      'REDIS_KEY_PREFIX must be 1 to 64 characters',
    ],
    ['DB_NAME', 'bad name;', 'DB_NAME must be 1 to 63 letters'],
    [
      'DB_CONNECT_TIMEOUT_MS',
      '0',
      'DB_CONNECT_TIMEOUT_MS must be an integer between 1 and 3600000',
    ],
    [
      'DB_QUERY_TIMEOUT_MS',
      '2.5s',
      'DB_QUERY_TIMEOUT_MS must be an integer between 1 and 3600000',
    ],
    [
      'DB_STATEMENT_TIMEOUT_MS',
      '-1',
      'DB_STATEMENT_TIMEOUT_MS must be an integer between 1 and 3600000',
    ],
    [
      'DB_TRANSACTION_TIMEOUT_MS',
      '3600001',
      'DB_TRANSACTION_TIMEOUT_MS must be an integer between 1 and 3600000',
    ],
    [
      'DB_RETRY_AFTER_SECONDS',
      'soon',
      'DB_RETRY_AFTER_SECONDS must be an integer between 1 and 3600',
    ],
  ])('rejects %s=%j with one message naming it', (name, value, expected) => {
    const message = problemOf({ [name]: value });
    expect(message.startsWith(`Invalid configuration: ${expected}`)).toBe(true);
    expect(message.split(';')).toHaveLength(1);
  });

  it('names every invalid variable in one message', () => {
    expect(problemOf({ PORT: 'x', REDIS_PORT: 'y' })).toBe(
      'Invalid configuration: PORT must be an integer between 0 and 65535; REDIS_PORT must be an integer between 1 and 65535',
    );
  });

  it('never puts a value in the message', () => {
    expect(
      problemOf({ REDIS_URL: 'memcached://:hunter2@cache' }),
    ).not.toContain('hunter2');
  });
});

describe('loadConfiguration', () => {
  it('prefers DATABASE_URL, then DB_HOST, then the embedded PostgreSQL', () => {
    expect(
      loadConfiguration({ DATABASE_URL: 'postgres://h/db', DB_HOST: 'x' })
        .database,
    ).toEqual({
      mode: 'url',
      url: 'postgres://h/db',
    });
    expect(
      loadConfiguration({ DB_HOST: 'db', DB_PASSWORD: 'pw' }).database,
    ).toEqual({
      mode: 'host',
      host: 'db',
      port: 5432,
      username: 'postgres',
      password: 'pw',
      database: 'lexikon',
    });
    const embedded = loadConfiguration({ EMBEDDED_PG_DIR: 'tmp/pg' }).database;
    expect(embedded).toMatchObject({ mode: 'embedded', database: 'lexikon' });
    expect(embedded.mode === 'embedded' && embedded.dataDir).toBe(
      `${process.cwd()}/tmp/pg`,
    );
  });

  it('reads the Redis connection from REDIS_URL when given', () => {
    expect(
      loadConfiguration({ REDIS_URL: 'rediss://:p%40ss@cache:6390/3' }).redis,
    ).toMatchObject({
      url: 'rediss://:p%40ss@cache:6390/3',
      host: 'cache',
      port: 6390,
      password: 'p@ss',
      db: 3,
      tls: true,
    });
    expect(
      loadConfiguration({
        REDIS_HOST: 'r',
        REDIS_PORT: '7000',
        REDIS_KEY_PREFIX: 'x:',
      }).redis,
    ).toEqual({
      enabled: true,
      host: 'r',
      port: 7000,
      password: undefined,
      db: 0,
      tls: false,
      defaultTtlSeconds: 3600,
      keyPrefix: 'x:',
      commandTimeoutMs: 250,
      requiredForReadiness: false,
      sensitiveGuard: 'warn',
      l1: { enabled: true, maxEntries: 10_000 },
      httpGzip: true,
      grace: { graceMs: 600_000, softTimeoutMs: 1000 },
    });
    expect(
      loadConfiguration({ CACHE_L1: 'false', CACHE_L1_MAX_ENTRIES: '50' }).redis
        .l1,
    ).toEqual({ enabled: false, maxEntries: 50 });
    expect(loadConfiguration({ CACHE_HTTP_GZIP: 'false' }).redis.httpGzip).toBe(
      false,
    );
  });

  it('bounds a request that needs the database to under 5 s by default', () => {
    const t = loadConfiguration({}).databaseTimeouts;
    // a wait for a connection, then one statement or one transaction (which
    // counts its own wait for a connection)
    const longest = Math.max(
      t.connectTimeoutMs + t.queryTimeoutMs,
      t.transactionTimeoutMs,
    );
    expect(longest).toBeLessThan(5000);
    // PostgreSQL cancels a slow statement before the client gives up on it,
    // so that a slow statement does not cost the connection
    expect(t.statementTimeoutMs).toBeLessThan(t.queryTimeoutMs);
    expect(
      loadConfiguration({ DB_QUERY_TIMEOUT_MS: '700' }).databaseTimeouts,
    ).toMatchObject({ queryTimeoutMs: 700, retryAfterSeconds: 5 });
  });

  it('turns LOG_LEVEL into the levels at least as severe', () => {
    expect(logLevelsFrom('warn').sort()).toEqual(['error', 'fatal', 'warn']);
    expect(logLevelsFrom('verbose')).toHaveLength(6);
  });
});
