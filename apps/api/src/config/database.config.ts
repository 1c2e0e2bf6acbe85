import { configNamespace } from './config-namespace.js';
import type { DatabaseSettings } from './configuration.js';

/**
 * PostgreSQL settings: `DATABASE_URL`, else `DB_HOST`/`DB_PORT`/`DB_USER`/
 * `DB_PASSWORD`/`DB_NAME`, else an embedded PostgreSQL in `EMBEDDED_PG_DIR`.
 *
 * @example
 * constructor(@Inject(databaseConfig.KEY) private readonly db: DatabaseConfig) {}
 */
export const databaseConfig = configNamespace('database');
export type DatabaseConfig = DatabaseSettings;
