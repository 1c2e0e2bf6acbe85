import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfig } from './app.config.js';
import { loadConfiguration, type Configuration } from './configuration.js';
import { databaseConfig } from './database.config.js';
import { databaseTimeoutsConfig } from './database-timeouts.config.js';
import { redisConfig } from './redis.config.js';

const NAMESPACES = [
  appConfig,
  databaseConfig,
  databaseTimeoutsConfig,
  redisConfig,
] as const;

/** Holds the namespaces' providers; global, so every module can inject them. */
@Module({})
class ValidatedConfigModule {}

export interface LoadedConfiguration {
  /** The global module providing every namespace (`appConfig.KEY`, …). */
  module: DynamicModule;
  /** The same validated configuration, for what runs before the app exists. */
  configuration: Configuration;
}

/**
 * Reads `.env` (if present) and the process environment, validates them once
 * and provides each namespace (`appConfig`, `databaseConfig`,
 * `databaseTimeoutsConfig`, `redisConfig`) from that one result.
 *
 * @throws ConfigValidationError (as a rejection) when a variable is invalid.
 * @example
 * const { module, configuration } = await createConfigModule();
 */
export async function createConfigModule(): Promise<LoadedConfiguration> {
  let configuration: Configuration | undefined;
  const environment = await ConfigModule.forRoot({
    isGlobal: true,
    cache: true,
    // raw goes back unchanged, so .env values still reach process.env
    validate: (raw) => {
      configuration = loadConfiguration(raw);
      return raw;
    },
  });
  if (!configuration) {
    throw new Error('ConfigModule.forRoot did not call validate()');
  }
  const validated = configuration;
  return {
    configuration: validated,
    module: {
      module: ValidatedConfigModule,
      global: true,
      imports: [environment],
      providers: NAMESPACES.map((namespace) => ({
        provide: namespace.KEY,
        useValue: validated[namespace.name],
      })),
      exports: NAMESPACES.map((namespace) => namespace.KEY),
    },
  };
}
