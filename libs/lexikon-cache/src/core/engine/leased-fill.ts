import type { FailOpenStore } from '../guard/fail-open-store.js';
import type { Lease } from '../store/cache-store.js';
import type { CacheStats } from './cache-stats.js';
import type { Invalidator } from './invalidator.js';
import type { Flight, LeasedFlights } from './leased-flights.js';
import type { Payloads } from './payloads.js';
import type { ReadCall as Call } from './read-call.js';

/** The last step of a leased load: the fill, and what it tells the joiners. */
export class LeasedFill {
  constructor(
    private readonly store: FailOpenStore,
    private readonly invalidator: Invalidator,
    private readonly flights: LeasedFlights,
    private readonly stats: CacheStats,
    private readonly payloads: Payloads,
    private readonly ttlJitter: number,
  ) {}

  /**
   * Stores a loaded value under its lease, only while no invalidation
   * reached the entry since; kept for its grace period on top of its TTL.
   */
  async fill<T>(
    c: Call<T>,
    lease: Lease,
    flight: Flight,
    value: T,
  ): Promise<T> {
    const { key, tagKeys, policy } = c;
    // no caller may join once the fill is sent: an invalidation that
    // completes after the fill ran but before such a caller came would be missed
    this.flights.forget(key, flight);
    const payload = this.payloads.encodeOrSkip(key, value, policy);
    if (payload === undefined) {
      flight.outcome ??= 'declined';
      this.invalidator.releaseLater(key, lease.token);
      return value;
    }
    const late =
      policy.lateTags?.(value).filter((t) => !tagKeys.includes(t)) ?? [];
    const ttlMs = this.jitter(policy.ttlMs);
    if (!this.store.trusted) {
      // a lease from before a restart may have come back with it
      flight.outcome = 'refused';
      this.invalidator.releaseLater(key, lease.token);
      return value;
    }
    const storeMs = ttlMs + (policy.graceMs ?? 0);
    const stored = await this.store.call('fill', key, (s) =>
      s.fill(key, lease, tagKeys, late, payload, storeMs),
    );
    if (stored === true) {
      this.stats.fills++;
      flight.outcome ??= 'stored';
      if (c.ticket)
        c.tier?.admit(key, payload, [...tagKeys, ...late], ttlMs, c.ticket);
    } else if (stored === false) {
      flight.outcome ??= 'refused';
    } else {
      flight.outcome ??= 'unknown';
      this.invalidator.releaseLater(key, lease.token);
    }
    return value;
  }

  jitter(ttlMs: number): number {
    const j = this.ttlJitter;
    return j > 0 ? ttlMs - Math.floor(Math.random() * j * ttlMs) : ttlMs;
  }
}
