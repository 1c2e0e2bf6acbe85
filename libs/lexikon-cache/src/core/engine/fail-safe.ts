import type { CacheLogger } from '../logger.js';
import { keyNamespace } from '../keys/cache-keys.js';
import { DROPPED, type Payloads } from './payloads.js';
import type { ReadCall } from './read-call.js';

/**
 * `l1.failSafe`: a load that ran without Redis (out of reach, or not
 * trusted yet) and failed is answered with the copy the in-process tier
 * still holds, as stale, when the entry has a grace period. The tier stops
 * serving once its lease lapses; this is the one path that reads it anyway,
 * which is why it is opt-in: an invalidation another instance completed
 * meanwhile may not have reached the copy (this instance's own ones have:
 * they are applied to the tier when deferred).
 */
export class FailSafe {
  constructor(
    private readonly payloads: Payloads,
    private readonly answers: { stale<T>(c: ReadCall<T>, value: T): T },
    private readonly logger: CacheLogger,
    private readonly keyPrefix: string,
  ) {}

  guard<T>(c: ReadCall<T>, load: Promise<T>): Promise<T> {
    const tier = c.tier;
    if (!tier || !c.policy.graceMs) return load;
    return load.catch((err: unknown) => {
      const kept = tier.l1.get(c.key);
      if (kept === undefined) throw err;
      const value = this.payloads.decodeOrDrop(c.key, kept, c.policy);
      if (value === DROPPED) throw err;
      const ns = keyNamespace(c.key.slice(this.keyPrefix.length));
      const cause = err instanceof Error ? err.message : String(err);
      this.logger.warn(
        `Serving the in-process copy of a "${ns}" entry (fail-safe): Redis is out of reach and its loader failed: ${cause}`,
      );
      return this.answers.stale(c, value);
    });
  }
}
