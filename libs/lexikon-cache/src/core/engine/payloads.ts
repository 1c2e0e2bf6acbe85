import type { FaultLog } from '../guard/fault-log.js';
import { keyNamespace } from '../keys/cache-keys.js';
import type { CacheStats } from './cache-stats.js';
import type { EntryPolicy } from './entry-policy.js';
import type { Invalidation } from './invalidation.js';

export const DROPPED: unique symbol = Symbol('lexikon-cache:dropped');

/**
 * Turning values into payloads and back for the engine: what a policy
 * declines, what cannot be encoded and what is over `maxValueBytes` is not
 * stored (logged once per namespace); a payload that cannot be decoded is
 * dropped from the store and read as a miss.
 */
export class Payloads {
  constructor(
    private readonly keyPrefix: string,
    private readonly maxValueBytes: number,
    private readonly stats: CacheStats,
    private readonly faults: FaultLog,
    private readonly drop: (inv: Invalidation) => unknown,
  ) {}

  private namespace(key: string): string {
    return keyNamespace(key.slice(this.keyPrefix.length));
  }

  decodeOrDrop<T>(
    key: string,
    payload: string,
    policy: EntryPolicy<T>,
  ): T | typeof DROPPED {
    try {
      return policy.decode(payload);
    } catch {
      this.stats.corrupt++;
      this.faults.once(
        `Dropped an undecodable cache entry in "${this.namespace(key)}"`,
      );
      void this.drop({ keys: [key] });
      return DROPPED;
    }
  }

  encodeOrSkip<T>(
    key: string,
    value: T,
    policy: EntryPolicy<T>,
  ): string | undefined {
    let payload: string | undefined;
    try {
      payload = policy.encode(value);
    } catch (err) {
      this.faults.once(
        `Not caching a value in "${this.namespace(key)}": ${err instanceof Error ? err.message : String(err)}`,
      );
      return undefined;
    }
    if (payload !== undefined && !this.fitsSize(key, payload)) return undefined;
    return payload;
  }

  /** False (with a warning once per namespace) when a payload exceeds `maxValueBytes`. */
  fitsSize(key: string, payload: string): boolean {
    const max = this.maxValueBytes;
    if (payload.length * 3 <= max) return true;
    if (payload.length <= max && Buffer.byteLength(payload) <= max) return true;
    this.stats.oversized++;
    this.faults.once(
      `Not caching values of "${this.namespace(key)}" larger than maxValueBytes (${max} bytes)`,
    );
    return false;
  }
}
