import { configNamespace } from './config-namespace.js';
import type { RedisSettings } from './configuration.js';

/**
 * Redis and cache settings: `REDIS_URL` or `REDIS_HOST`/`REDIS_PORT`/
 * `REDIS_PASSWORD`/`REDIS_DB`, `REDIS_DEFAULT_TTL`, `REDIS_KEY_PREFIX`,
 * `REDIS_COMMAND_TIMEOUT_MS`, `CACHE_REQUIRED_FOR_READINESS`,
 * `CACHE_SENSITIVE_GUARD`, `CACHE_L1`, `CACHE_L1_MAX_ENTRIES`, `CACHE_GRACE`,
 * `CACHE_SOFT_TIMEOUT`.
 *
 * @example
 * constructor(@Inject(redisConfig.KEY) private readonly redis: RedisConfig) {}
 */
export const redisConfig = configNamespace('redis');
export type RedisConfig = RedisSettings;
