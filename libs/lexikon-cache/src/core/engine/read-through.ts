import {
  FAULT,
  SKIPPED,
  type FailOpenStore,
} from '../guard/fail-open-store.js';
import type { Lease, ReadOutcome } from '../store/cache-store.js';
import type { CacheStats } from './cache-stats.js';
import type { EntryPolicy } from './entry-policy.js';
import type { Invalidator } from './invalidator.js';
import { LeaseTokens } from './lease-tokens.js';
import { LocalFlights } from './local-flights.js';
import { DROPPED, type Payloads } from './payloads.js';

/** How a leased load ended, which decides what callers that joined it may take. */
type FillOutcome = 'stored' | 'declined' | 'refused' | 'unknown';

interface Flight {
  readonly token: string;
  readonly tagKeys: readonly string[];
  done: Promise<unknown>;
  outcome: FillOutcome | undefined;
}

export interface ReadThroughSettings {
  readonly leaseTtlMs: number;
  readonly lockWaitMs: number;
  readonly ttlJitter: number;
}

const POLL_START_MS = 5;
const POLL_MAX_MS = 100;
/** Dropped-and-retried reads (undecodable entry, unconfirmed shared load) per call. */
const MAX_RETRIES = 1;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Leased read-through. A miss takes a lease under a token the reader
 * proposed; only its holder fills, and only while no invalidation reached
 * the entry since. Callers of this process that arrive while the holder
 * loads join it, and take its value only once the store confirmed the fill:
 * a value the store refused (an invalidation came first) or the policy
 * declined is never handed over; the joiner reads again, or runs its own
 * load. Other processes wait for the entry, polling, up to `lockWait`.
 */
export class ReadThrough {
  readonly flights = new Map<string, Flight>();
  readonly local = new LocalFlights();
  private readonly tokens = new LeaseTokens();
  closed = false;

  constructor(
    private readonly store: FailOpenStore,
    private readonly invalidator: Invalidator,
    private readonly stats: CacheStats,
    private readonly payloads: Payloads,
    private readonly settings: ReadThroughSettings,
  ) {}

  async getOrLoad<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    attempt = 0,
  ): Promise<T> {
    if (this.invalidator.pending.size > 0) {
      this.stats.bypasses++;
      return this.loadLocally(key, loader, policy);
    }
    const token = this.tokens.next();
    const plainFirst = tagKeys.length === 0 && policy.lateTags === undefined;
    const outcome = await this.store.read(
      key,
      tagKeys,
      { token, ms: this.settings.leaseTtlMs },
      plainFirst,
    );
    if (outcome === FAULT || outcome === SKIPPED) {
      this.stats.bypasses++;
      return this.loadLocally(key, loader, policy);
    }
    return this.onRead(key, tagKeys, loader, policy, outcome, attempt);
  }

  private onRead<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    outcome: ReadOutcome,
    attempt: number,
  ): Promise<T> {
    if (typeof outcome === 'string') {
      const value = this.payloads.decodeOrDrop(key, outcome, policy);
      if (value !== DROPPED) {
        this.stats.hits++;
        return Promise.resolve(value);
      }
      return attempt < MAX_RETRIES
        ? this.getOrLoad(key, tagKeys, loader, policy, attempt + 1)
        : this.loadLocally(key, loader, policy);
    }
    this.stats.misses++;
    if (outcome.lease)
      return this.lead(key, tagKeys, outcome.lease, loader, policy);
    if (outcome.holder !== undefined) {
      const flight = this.flights.get(key);
      if (flight && flight.token === outcome.holder) {
        return this.join(flight, key, tagKeys, loader, policy, attempt);
      }
      return this.awaitHolder(key, tagKeys, loader, policy, attempt);
    }
    return this.loadLocally(key, loader, policy);
  }

  private lead<T>(
    key: string,
    tagKeys: readonly string[],
    lease: Lease,
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
  ): Promise<T> {
    const flight: Flight = {
      token: lease.token,
      tagKeys,
      done: Promise.resolve(),
      outcome: undefined,
    };
    this.flights.set(key, flight);
    this.stats.loads++;
    const done = this.loadAndFill(key, tagKeys, lease, loader, policy, flight);
    flight.done = done;
    return done;
  }

  private async loadAndFill<T>(
    key: string,
    tagKeys: readonly string[],
    lease: Lease,
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    flight: Flight,
  ): Promise<T> {
    const stopRenewing = this.keepLease(key, lease.token);
    let value: T;
    try {
      value = await loader();
    } catch (err) {
      stopRenewing();
      this.forget(key, flight);
      flight.outcome = 'declined';
      this.invalidator.releaseLater(key, lease.token);
      throw err;
    }
    stopRenewing();
    // no caller may join once the fill is sent: an invalidation that
    // completes after the fill ran but before such a caller came would be missed
    this.forget(key, flight);
    const payload = this.payloads.encodeOrSkip(key, value, policy);
    if (payload === undefined) {
      flight.outcome = 'declined';
      this.invalidator.releaseLater(key, lease.token);
      return value;
    }
    const late = policy.lateTags?.(value).filter((t) => !tagKeys.includes(t));
    const stored = await this.store.call('fill', key, (s) =>
      s.fill(
        key,
        lease,
        tagKeys,
        late ?? [],
        payload,
        this.jitter(policy.ttlMs),
      ),
    );
    if (stored === true) {
      this.stats.fills++;
      flight.outcome = 'stored';
    } else if (stored === false) {
      flight.outcome = 'refused';
    } else {
      flight.outcome = 'unknown';
      this.invalidator.releaseLater(key, lease.token);
    }
    return value;
  }

  private async join<T>(
    flight: Flight,
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    attempt: number,
  ): Promise<T> {
    const value = (await flight.done) as T;
    if (flight.outcome === 'stored') return value;
    // not stored: the value may predate an invalidation, or is not one to share
    if (flight.outcome !== 'declined' && attempt < MAX_RETRIES) {
      return this.getOrLoad(key, tagKeys, loader, policy, attempt + 1);
    }
    return loader();
  }

  /** Another process holds the lease: poll for its entry, or load once the wait is over. */
  private async awaitHolder<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    attempt: number,
  ): Promise<T> {
    const token = this.tokens.next();
    const deadline = performance.now() + this.settings.lockWaitMs;
    let delay = POLL_START_MS;
    while (performance.now() < deadline && !this.closed) {
      await sleep(delay);
      delay = Math.min(delay * 2, POLL_MAX_MS);
      const outcome = await this.store.read(
        key,
        tagKeys,
        { token, ms: this.settings.leaseTtlMs },
        false,
      );
      if (outcome === FAULT || outcome === SKIPPED) break;
      if (typeof outcome === 'string' || outcome.lease) {
        return this.onRead(key, tagKeys, loader, policy, outcome, attempt);
      }
      if (outcome.holder === undefined) break;
      const flight = this.flights.get(key);
      if (flight && flight.token === outcome.holder) {
        return this.join(flight, key, tagKeys, loader, policy, attempt);
      }
    }
    return this.loadLocally(key, loader, policy);
  }

  /** Renews a lease while its loader runs, so that only a dead holder lets it lapse. */
  private keepLease(key: string, token: string): () => void {
    const ms = this.settings.leaseTtlMs;
    const timer = setInterval(
      () =>
        void this.store.call('extend', key, (s) =>
          s.extendLease(key, token, ms),
        ),
      Math.max(20, Math.floor(ms / 3)),
    );
    timer.unref();
    return () => clearInterval(timer);
  }

  /** Loads without the store, one load per key at a time in this process. */
  loadLocally<T>(
    key: string,
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
  ): Promise<T> {
    return this.local.run(key, loader, (value) => {
      try {
        return this.payloads.encodeOrSkip(key, value, policy) !== undefined;
      } catch {
        return false;
      }
    });
  }

  private forget(key: string, flight: Flight): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }

  /** Leased loads that `invalidation` may cover stop taking joiners. */
  forgetCovered(
    keys: readonly string[],
    tagKeys: readonly string[],
    all: boolean,
  ): void {
    if (this.flights.size === 0) return;
    if (all) {
      this.flights.clear();
      return;
    }
    for (const k of keys) this.flights.delete(k);
    if (tagKeys.length === 0) return;
    for (const [k, f] of this.flights) {
      if (f.tagKeys.some((t) => tagKeys.includes(t))) this.flights.delete(k);
    }
  }

  jitter(ttlMs: number): number {
    const j = this.settings.ttlJitter;
    return j > 0 ? ttlMs - Math.floor(Math.random() * j * ttlMs) : ttlMs;
  }
}
