/**
 * A transaction ran past `DB_TRANSACTION_TIMEOUT_MS` and its connection was
 * closed, which makes PostgreSQL roll it back, unless its COMMIT was already
 * on the way: the outcome is unknown.
 */
export class TransactionTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`Transaction timeout: not done within ${timeoutMs} ms`, options);
    this.name = new.target.name;
  }
}
