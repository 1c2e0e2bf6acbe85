import { ENVIRONMENT_VARIABLES } from '../../../apps/api/src/config/environment.js';
import type { MixedMode } from '../../report/results.js';
import type { BenchDatabase } from '../dataset.js';

/** The cache settings of each API: Redis only, or Redis with the in-process tier; own key prefixes. */
function cacheEnv(mode: MixedMode, redisUrl: string): NodeJS.ProcessEnv {
  if (mode === 'no-cache') return {};
  return {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `bench:api:${mode}:`,
    CACHE_L1: mode === 'l1' ? 'true' : 'false',
  };
}

export function apiEnv(
  mode: MixedMode,
  db: BenchDatabase,
  redisUrl: string,
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // nothing of the caller's API configuration leaks in
  for (const name of ENVIRONMENT_VARIABLES) delete env[name];
  return {
    ...env,
    NODE_ENV: 'production',
    PORT: '0',
    DATABASE_URL: db.url,
    ...cacheEnv(mode, redisUrl),
    // the cache's lexikon_cache_* counters tell L1 hits from Redis hits
    METRICS_ENABLED: 'true',
    LOG_LEVEL: 'warn',
    SHUTDOWN_READY_DELAY_MS: '0',
    SHUTDOWN_DRAIN_MS: '2000',
  };
}
