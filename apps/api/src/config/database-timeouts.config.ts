import { configNamespace } from './config-namespace.js';
import type { DatabaseTimeouts } from './configuration.js';

/**
 * Bounds of the app's database calls: `DB_CONNECT_TIMEOUT_MS`,
 * `DB_QUERY_TIMEOUT_MS`, `DB_STATEMENT_TIMEOUT_MS`,
 * `DB_TRANSACTION_TIMEOUT_MS`, and `DB_RETRY_AFTER_SECONDS` for the 503
 * answered meanwhile.
 *
 * @example
 * constructor(@Inject(databaseTimeoutsConfig.KEY) private readonly timeouts: DatabaseTimeoutsConfig) {}
 */
export const databaseTimeoutsConfig = configNamespace('databaseTimeouts');
export type DatabaseTimeoutsConfig = DatabaseTimeouts;
