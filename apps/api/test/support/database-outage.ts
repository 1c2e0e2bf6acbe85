import type { Answer } from './answers.js';

/**
 * Database timeouts lower than the defaults, so that outage tests run fast;
 * {@link OUTAGE_BUDGET_MS} follows them.
 */
export const FAST_DB_TIMEOUTS = {
  DB_CONNECT_TIMEOUT_MS: '300',
  DB_QUERY_TIMEOUT_MS: '600',
  DB_STATEMENT_TIMEOUT_MS: '400',
  DB_TRANSACTION_TIMEOUT_MS: '900',
  DB_RETRY_AFTER_SECONDS: '3',
};

/**
 * The longest a request needing the database may take with
 * {@link FAST_DB_TIMEOUTS}: a connection (300), then a statement (600) or a
 * transaction (900), plus slack for a busy machine.
 */
export const OUTAGE_BUDGET_MS = 300 + 900 + 1500;

/** Host and port of a PostgreSQL URL, for a FaultProxy in front of it. */
export function pgTarget(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 5432) };
}

/** 503 with Retry-After and the usual error body, within the budget. */
export function expectUnavailable(a: Answer, what: string): void {
  expect({ what, status: a.status }).toEqual({ what, status: 503 });
  expect(a.headers['retry-after']).toBe(
    FAST_DB_TIMEOUTS.DB_RETRY_AFTER_SECONDS,
  );
  expect(a.body).toEqual({
    statusCode: 503,
    error: 'Service Unavailable',
    message: expect.stringMatching(/database/i),
  });
  expect(a.ms).toBeLessThan(OUTAGE_BUDGET_MS);
}
