import { LRUCache } from 'lru-cache';
import type { CacheLogger } from '../logger.js';
import { monotonicMs } from '../time/monotonic.js';

const QUIET_MS = 10_000;
/** Distinct messages remembered; their text may name input-derived namespaces. */
const MAX_MESSAGES = 500;

/**
 * Logs cache faults without flooding: the first fault of an operation is
 * logged (its stack at debug level), later ones at most every ten seconds
 * with a count. Bounded: operations are a fixed set, messages an LRU.
 */
export class FaultLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  private readonly said = new LRUCache<string, true>({ max: MAX_MESSAGES });

  constructor(private readonly logger: CacheLogger) {}

  report(operation: string, namespace: string, err: unknown): void {
    const now = monotonicMs();
    const seen = this.last.get(operation);
    if (seen && now - seen.at < QUIET_MS) {
      seen.suppressed++;
      return;
    }
    const more = seen?.suppressed
      ? ` (${seen.suppressed} similar faults since)`
      : '';
    this.last.set(operation, { at: now, suppressed: 0 });
    const message = err instanceof Error ? err.message : String(err);
    this.logger.warn(
      `Cache ${operation} failed for "${namespace}": ${message}; serving without the cache${more}`,
    );
    if (!seen && err instanceof Error && err.stack)
      this.logger.debug(err.stack);
  }

  /** Warns once per distinct message (e.g. one oversized value per namespace). */
  once(message: string): void {
    if (this.said.has(message)) return;
    this.said.set(message, true);
    this.logger.warn(message);
  }
}
