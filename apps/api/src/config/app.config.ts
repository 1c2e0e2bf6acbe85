import { registerAs, type ConfigType } from '@nestjs/config';
import { loadConfiguration, type AppSettings } from './configuration.js';

/**
 * HTTP server settings (`PORT`, `BODY_LIMIT_BYTES`, `SHUTDOWN_READY_DELAY_MS`,
 * `SHUTDOWN_DRAIN_MS`, `LOG_LEVEL`, `METRICS_ENABLED`).
 *
 * @example
 * constructor(@Inject(appConfig.KEY) private readonly app: AppConfig) {}
 */
export const appConfig = registerAs(
  'app',
  (): AppSettings => loadConfiguration(process.env).app,
);
export type AppConfig = ConfigType<typeof appConfig>;
