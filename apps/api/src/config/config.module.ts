import type { DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from './app.config.js';
import { databaseConfig } from './database.config.js';
import { validateEnvironment } from './environment.js';
import { redisConfig } from './redis.config.js';

/**
 * The global configuration module: reads `.env` (if present) and the process
 * environment, validates them and exposes the typed namespaces
 * `appConfig`, `databaseConfig` and `redisConfig`.
 *
 * @throws ConfigValidationError (as a rejection) when a variable is invalid.
 */
export function createConfigModule(): Promise<DynamicModule> {
  return ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    load: [appConfig, databaseConfig, redisConfig],
    validate: (raw) => {
      validateEnvironment(raw);
      return raw;
    },
  });
}
