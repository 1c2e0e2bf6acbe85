import { FAULT, SKIPPED } from '../guard/fail-open-store.js';
import type { ReadMiss } from '../store/cache-store.js';
import type { Flight } from './leased-flights.js';
import type { LeasedLoads } from './leased-loads.js';
import type { LeaseTokens } from './lease-tokens.js';
import { DROPPED } from './payloads.js';
import type { ReadCall } from './read-call.js';

/** Ends the token of an early refresh's lease (tokens are base64url and base36 otherwise). */
const EARLY = '!';

/**
 * Early refresh (XFetch, Vattani et al., VLDB 2015). After a hit on an entry
 * with `leftMs` of its TTL left, whose loader takes `delta` ms (measured
 * here), a reader refreshes it when `delta * beta * -ln(random()) >= leftMs`:
 * rarely while the entry is young, almost surely in its last `delta` or so,
 * and so, under load, once per TTL and before it expires.
 *
 * The reader is answered with the hit; the refresh runs behind it as a
 * leased load of an outlived entry: the read asks the store to treat the
 * entry as outlived within the drawn margin, so the store itself (with the
 * entry's real time left) decides, and its lease makes this the one refresh
 * across instances; the fill is refused if an invalidation reached the
 * entry since, and a failed load puts the entry back. The lease is never
 * renewed: it ends when the entry would have, so a refresh that outlasts
 * the entry does not stretch it. While it runs, readers the store sends to
 * the lease (in this process or another) get the entry it keeps, unless the
 * entry has tags learnt from its value, which that read does not check.
 */
export class EarlyRefresh {
  constructor(
    private readonly leased: LeasedLoads,
    private readonly tokens: LeaseTokens,
    private readonly settings: { readonly leaseTtlMs: number },
    private readonly random: () => number = Math.random,
  ) {}

  /** Decides, after a hit with `leftMs` of its TTL left, whether this reader refreshes it. */
  check<T>(c: ReadCall<T>, beta: number, leftMs: number): void {
    const { flights, invalidator, store, times } = this.leased.p;
    const delta = times.estimate(c.key);
    if (delta === undefined || flights.get(c.key) !== undefined) return;
    // 1 - random() is in (0, 1]: the margin is finite, and capped by the TTL
    const margin = Math.min(
      delta * beta * -Math.log(1 - this.random()),
      c.policy.ttlMs,
    );
    if (margin < leftMs || invalidator.pending.size > 0 || !store.trusted)
      return;
    const token = this.tokens.next() + EARLY;
    const flight = flights.start(c.key, token, c.tagKeys);
    const endsAt = performance.now() + leftMs;
    flight.done = this.refresh(c, flight, Math.ceil(margin), endsAt);
    flight.done.catch(() => undefined);
  }

  private async refresh<T>(
    c: ReadCall<T>,
    flight: Flight,
    marginMs: number,
    /** When (monotonic ms) the entry's TTL ends, as its hit told. */
    endsAt: number,
  ): Promise<T | undefined> {
    // once the reader that drew it has its answer: a caller that tells a load
    // by its loader running (the HTTP interceptor's MISS) must see none
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { store, flights, invalidator } = this.leased.p;
    if (
      flights.get(c.key) !== flight ||
      invalidator.pending.size > 0 ||
      !store.trusted
    ) {
      flights.forget(c.key, flight);
      return undefined;
    }
    const { policy } = c;
    const graceMs = policy.graceMs ?? 0;
    const r: ReadCall<T> = {
      key: c.key,
      tagKeys: c.tagKeys,
      loader: c.loader,
      // nobody waits on it: no soft timeout to answer anyone at
      policy:
        policy.softTimeoutMs === undefined
          ? policy
          : { ...policy, softTimeoutMs: undefined },
      tier: c.tier,
      onStale: undefined,
      background: true,
      early: true,
      ticket: c.tier?.ticket(),
      attempt: 0,
      span: undefined,
    };
    const outcome = await store.read(
      c.key,
      c.tagKeys,
      // the lease, which keeps the entry, ends when the entry would have
      {
        token: flight.token,
        ms: Math.max(
          1,
          Math.floor(
            Math.min(endsAt - performance.now(), this.settings.leaseTtlMs),
          ),
        ),
      },
      false,
      c.tier !== undefined,
      graceMs + marginMs,
    );
    if (
      outcome === FAULT ||
      outcome === SKIPPED ||
      typeof outcome === 'string' ||
      'payload' in outcome ||
      outcome.lease === undefined
    ) {
      // fresher than drawn, refreshed by someone else, or out of reach
      flights.forget(c.key, flight);
      return undefined;
    }
    const { lease, outlived } = outcome;
    // the entry went since the hit (an invalidation, its TTL): the next
    // reader loads, as on any miss; and an answer while the store is not
    // trusted may come from a Redis that restarted
    if (!outlived || !store.trusted) {
      flights.forget(c.key, flight);
      invalidator.releaseLater(c.key, lease.token);
      return undefined;
    }
    return this.leased.lead(r, lease, flight, outlived);
  }

  /**
   * For a reader the store sent to a lease (of this instance or another):
   * the entry it keeps, if it is an early refresh's. That lease is never
   * renewed and ends when the entry would have; a delete ends it sooner, and
   * the store names the entry only while its tags are current and are all
   * it has: while held, the entry is fresh.
   */
  kept<T>(c: ReadCall<T>, miss: ReadMiss): T | typeof DROPPED {
    if (miss.kept === undefined || !miss.holder?.endsWith(EARLY))
      return DROPPED;
    return this.leased.p.payloads.decodeOrDrop(c.key, miss.kept, c.policy);
  }
}
