import { ENVIRONMENT_VARIABLES } from '../../../apps/api/src/config/environment.js';
import type { MixedMode } from '../../report/results.js';
import type { BenchDatabase } from '../dataset.js';

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
    ...(mode === 'cache'
      ? { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: 'bench:api:' }
      : {}),
    LOG_LEVEL: 'warn',
    SHUTDOWN_READY_DELAY_MS: '0',
    SHUTDOWN_DRAIN_MS: '2000',
  };
}
