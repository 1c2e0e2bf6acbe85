/**
 * The longest pause between two reconnection attempts of the clients the
 * library creates. Short, so that once Redis is back every instance is
 * connected again within it: an instance still waiting out a long backoff
 * could not tell the others of a write while they already serve.
 */
export const RECONNECT_MAX_DELAY_MS = 300;

/**
 * How long an invalidation waits for a reconnecting client: two attempts,
 * so that when the outage ends while a write waits, its invalidation still
 * goes out before the write is answered (never less than the command timeout).
 */
export function essentialWaitMs(commandTimeoutMs: number): number {
  return Math.max(commandTimeoutMs, 2 * RECONNECT_MAX_DELAY_MS);
}
