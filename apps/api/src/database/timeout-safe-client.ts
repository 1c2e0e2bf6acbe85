import pg from 'pg';
import type { AbandonedBackends } from './abandoned-backends.js';
import { describeDatabaseFault } from './database-fault.js';

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
type Callback = (error: Error | null, result?: unknown) => void;

/**
 * The node-postgres Client class for the app's pool. On `query_timeout`
 * node-postgres rejects the query but keeps the connection, whose statement
 * is still on its way or running: back in the pool, the next query on it
 * would wait behind it. This class closes such a connection at once (so the
 * pool drops it) and tells `backends` about every connection given up with a
 * statement in flight.
 *
 * @example
 * new DataSource({ type: 'postgres', extra: { Client: timeoutSafeClient(backends), query_timeout: 2500 } });
 */
export function timeoutSafeClient(
  backends: AbandonedBackends,
): typeof pg.Client {
  // oxlint-disable-next-line typescript/unbound-method -- only ever called with .apply(this)
  const query = pg.Client.prototype.query as Query;
  const onError = (client: pg.Client, error: unknown): void => {
    const fault = describeDatabaseFault(error);
    if (!fault?.outcomeUnknown) return;
    if (fault.kind === 'no-answer') backends.abandon(client, fault.detail);
    else backends.remember(client, fault.detail);
  };

  class TimeoutSafeClient extends pg.Client {}
  // pg's overloads cannot be restated one by one: the wrapper passes through
  // whatever it is given (text, values, callback, or a config object)
  const wrapped: Query = function (this: pg.Client, ...args) {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (error: Error | null, result?: unknown): void => {
        if (error) onError(this, error);
        (callback as Callback)(error, result);
      };
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) {
      // the caller gets the same rejection; this branch only looks at it
      void result.catch((error: unknown) => onError(this, error));
    }
    return result;
  };
  Object.defineProperty(TimeoutSafeClient.prototype, 'query', {
    value: wrapped,
    writable: true,
    configurable: true,
  });
  return TimeoutSafeClient;
}
