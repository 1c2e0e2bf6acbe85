import { configNamespace } from './config-namespace.js';
import type { AppSettings } from './configuration.js';

/**
 * HTTP server settings (`PORT`, `BODY_LIMIT_BYTES`, `SHUTDOWN_READY_DELAY_MS`,
 * `SHUTDOWN_DRAIN_MS`, `LOG_LEVEL`, `METRICS_ENABLED`).
 *
 * @example
 * constructor(@Inject(appConfig.KEY) private readonly app: AppConfig) {}
 */
export const appConfig = configNamespace('app');
export type AppConfig = AppSettings;
