import type pg from 'pg';
import type { DatabaseTimeouts } from '../config/configuration.js';

/**
 * node-postgres pool options that bound every call (TypeORM passes `extra`
 * to `new pg.Pool()`; pg-pool hands them on to each Client):
 *
 * - `connectionTimeoutMillis`: opening a connection, and (pg-pool uses the
 *   same setting) waiting for a free one when the pool is full;
 * - `query_timeout`: client-side, for a server that does not answer at all;
 *   `Client` then closes the connection (see `timeoutSafeClient`);
 * - `statement_timeout`: server-side, PostgreSQL cancels a slow statement
 *   (57014) and the connection stays usable;
 * - `idle_in_transaction_session_timeout`: server-side, a transaction whose
 *   client went away releases its locks.
 */
export function boundedPoolOptions(
  timeouts: DatabaseTimeouts,
  Client: typeof pg.Client,
): pg.PoolConfig {
  return {
    Client,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    query_timeout: timeouts.queryTimeoutMs,
    statement_timeout: timeouts.statementTimeoutMs,
    idle_in_transaction_session_timeout: timeouts.transactionTimeoutMs,
  };
}
