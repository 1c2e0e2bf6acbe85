import {
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';

function cacheOptions(
  redis: RedisConfig,
  app: AppConfig,
): LexikonCacheModuleOptions {
  const common = {
    keyPrefix: redis.keyPrefix,
    defaultTtl: redis.defaultTtlSeconds * 1000,
    commandTimeout: redis.commandTimeoutMs,
    sensitiveGuard: redis.sensitiveGuard,
    // on prom-client's default registry, which GET /metrics serves
    metrics: app.metricsEnabled,
    // a large answer (a project's terms) is gzipped once, when stored
    httpCompression: redis.httpGzip,
    // an expired entry answers (X-Cache: STALE) while PostgreSQL fails;
    // invalidated ones never do
    grace: redis.grace.graceMs,
    timeouts:
      redis.grace.softTimeoutMs === undefined
        ? undefined
        : { soft: redis.grace.softTimeoutMs },
  };
  if (!redis.enabled) return { ...common, store: 'memory' };
  return {
    ...common,
    l1: redis.l1.enabled ? { maxEntries: redis.l1.maxEntries } : false,
    redis: redis.url
      ? { url: redis.url }
      : {
          host: redis.host,
          port: redis.port,
          password: redis.password,
          db: redis.db,
        },
  };
}

/**
 * The cache of the API: Redis when REDIS_URL or REDIS_HOST is set, with an
 * in-process tier in front of it unless CACHE_L1=false, else the library's
 * in-process memory store (it logs which). JSON bodies from 1 KiB are stored
 * gzipped and sent so to clients that accept gzip unless CACHE_HTTP_GZIP=false. Its `lexikon_cache_*` metrics are
 * on whenever `/metrics` is (`METRICS_ENABLED`). Expired entries are served
 * within `CACHE_GRACE` when PostgreSQL fails or is slower than
 * `CACHE_SOFT_TIMEOUT`.
 */
export const AppCacheModule = LexikonCacheModule.forRootAsync({
  inject: [redisConfig.KEY, appConfig.KEY],
  useFactory: cacheOptions,
});
