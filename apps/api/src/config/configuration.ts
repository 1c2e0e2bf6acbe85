import { LOG_LEVELS, type LogLevel } from '@nestjs/common';
import { resolve } from 'node:path';
import { cacheGraceSettings, type CacheGraceSettings } from './cache-grace.js';
import { ConfigValidationError } from './config-validation.error.js';
import {
  validateEnvironment,
  type CacheSensitiveGuard,
  type EnvironmentVariables,
} from './environment.js';

export interface AppSettings {
  port: number;
  /** Largest accepted request body, in bytes; larger ones get 413. */
  bodyLimitBytes: number;
  /**
   * After SIGTERM, how long the app keeps accepting connections while its
   * readiness probe already fails, so that load balancers stop sending
   * traffic before the listener closes.
   */
  shutdownReadyDelayMs: number;
  /** How long requests in flight may run on once the listener has closed. */
  shutdownDrainMs: number;
  /** The least severe level that is logged. */
  logLevel: LogLevel;
  /** Whether `GET /metrics` (Prometheus) is served; when false the route does not exist. */
  metricsEnabled: boolean;
}

export type DatabaseSettings =
  | { mode: 'url'; url: string }
  | {
      mode: 'host';
      host: string;
      port: number;
      username: string;
      password?: string;
      database: string;
    }
  | {
      mode: 'embedded';
      /** Absolute path of the embedded PostgreSQL data directory. */
      dataDir: string;
      database: string;
    };

/**
 * Bounds of every database call of the app (the seed and the TypeORM CLI
 * have none: they may run long statements).
 */
export interface DatabaseTimeouts {
  /** Opening a connection, and waiting for a free one in the pool. */
  connectTimeoutMs: number;
  /** Client-side: the longest wait for a statement's answer; the connection is then closed. */
  queryTimeoutMs: number;
  /** Server-side `statement_timeout`: PostgreSQL cancels a longer statement, the connection stays. */
  statementTimeoutMs: number;
  /** A whole transaction; also its server-side `idle_in_transaction_session_timeout`. */
  transactionTimeoutMs: number;
  /** `Retry-After` of the 503 answered while the database is unavailable. */
  retryAfterSeconds: number;
}

export interface RedisSettings {
  /** False when neither REDIS_URL nor REDIS_HOST is set: the cache then lives in process memory. */
  enabled: boolean;
  /** Set when REDIS_URL was given; host, port, password, db and tls are read from it. */
  url?: string;
  host: string;
  port: number;
  password?: string;
  db: number;
  tls: boolean;
  defaultTtlSeconds: number;
  keyPrefix: string;
  commandTimeoutMs: number;
  /** Whether readiness fails while Redis is unreachable. */
  requiredForReadiness: boolean;
  /**
   * What the cache does with a value to cache that has a field whose name
   * looks secret: `warn` (not stored, logged), `strict` (the request fails;
   * for development and tests), `off`.
   */
  sensitiveGuard: CacheSensitiveGuard;
  /**
   * Whether each instance keeps an in-process tier in front of Redis (as
   * fresh as Redis: see the library's docs/two-tiers.md), and its size.
   */
  l1: { enabled: boolean; maxEntries: number };
  /** Whether cached JSON bodies are stored gzipped and sent as stored to clients that accept gzip. */
  httpGzip: boolean;
  /** `CACHE_GRACE` and `CACHE_SOFT_TIMEOUT`: stale entries while PostgreSQL fails. */
  grace: CacheGraceSettings;
}

export interface Configuration {
  app: AppSettings;
  database: DatabaseSettings;
  databaseTimeouts: DatabaseTimeouts;
  redis: RedisSettings;
}

function databaseSettings(env: EnvironmentVariables): DatabaseSettings {
  if (env.DATABASE_URL) return { mode: 'url', url: env.DATABASE_URL };
  if (env.DB_HOST) {
    return {
      mode: 'host',
      host: env.DB_HOST,
      port: env.DB_PORT,
      username: env.DB_USER,
      password: env.DB_PASSWORD,
      database: env.DB_NAME,
    };
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigValidationError([
      'DATABASE_URL or DB_HOST must be set when NODE_ENV=production (the embedded PostgreSQL is for development only)',
    ]);
  }
  return {
    mode: 'embedded',
    dataDir: resolve(env.EMBEDDED_PG_DIR),
    database: env.DB_NAME,
  };
}

function redisSettings(env: EnvironmentVariables): RedisSettings {
  const common = {
    defaultTtlSeconds: env.REDIS_DEFAULT_TTL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
    requiredForReadiness: env.CACHE_REQUIRED_FOR_READINESS,
    sensitiveGuard: env.CACHE_SENSITIVE_GUARD,
    l1: { enabled: env.CACHE_L1, maxEntries: env.CACHE_L1_MAX_ENTRIES },
    httpGzip: env.CACHE_HTTP_GZIP,
    grace: cacheGraceSettings(env),
  };
  if (env.REDIS_URL) {
    const url = new URL(env.REDIS_URL);
    const db = url.pathname.replace('/', '');
    return {
      ...common,
      enabled: true,
      url: env.REDIS_URL,
      host: url.hostname,
      port: url.port ? Number(url.port) : 6379,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: db ? Number(db) : 0,
      tls: url.protocol === 'rediss:',
    };
  }
  return {
    ...common,
    enabled: env.REDIS_HOST !== undefined,
    host: env.REDIS_HOST ?? '127.0.0.1',
    port: env.REDIS_PORT,
    password: env.REDIS_PASSWORD,
    db: env.REDIS_DB,
    tls: false,
  };
}

/**
 * The validated, typed configuration.
 *
 * @throws ConfigValidationError when a variable is invalid.
 * @example
 * const { database } = loadConfiguration(process.env);
 */
export function loadConfiguration(raw: Record<string, unknown>): Configuration {
  const env = validateEnvironment(raw);
  return {
    app: {
      port: env.PORT,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
      shutdownReadyDelayMs: env.SHUTDOWN_READY_DELAY_MS,
      shutdownDrainMs: env.SHUTDOWN_DRAIN_MS,
      logLevel: env.LOG_LEVEL,
      metricsEnabled: env.METRICS_ENABLED,
    },
    database: databaseSettings(env),
    databaseTimeouts: {
      connectTimeoutMs: env.DB_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: env.DB_QUERY_TIMEOUT_MS,
      statementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
      transactionTimeoutMs: env.DB_TRANSACTION_TIMEOUT_MS,
      retryAfterSeconds: env.DB_RETRY_AFTER_SECONDS,
    },
    redis: redisSettings(env),
  };
}

/** Nest log levels from `level` up to the most severe (`fatal`). */
export function logLevelsFrom(level: LogLevel): LogLevel[] {
  const severity: readonly LogLevel[] = [
    'verbose',
    'debug',
    'log',
    'warn',
    'error',
    'fatal',
  ];
  const from = severity.indexOf(level);
  return LOG_LEVELS.filter((l) => severity.indexOf(l) >= from);
}
