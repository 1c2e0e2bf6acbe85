import {
  FAULT,
  SKIPPED,
  type FailOpenStore,
} from '../guard/fail-open-store.js';
import type { CacheLogger } from '../logger.js';
import type { CacheRecorder } from '../metrics/cache-recorder.js';
import {
  isDetailedHit,
  isLeasedMiss,
  type Lease,
  type OutlivedEntry,
  type ReadOutcome,
} from '../store/cache-store.js';
import type { TwoTier } from '../tier/two-tier.js';
import type { CacheStats } from './cache-stats.js';
import type { EntryPolicy } from './entry-policy.js';
import type { Invalidator } from './invalidator.js';
import { LeasedFlights, type Flight } from './leased-flights.js';
import { LeaseTokens } from './lease-tokens.js';
import { LocalFlights } from './local-flights.js';
import { DROPPED, type Payloads } from './payloads.js';
import { LeasedFill } from './leased-fill.js';
import { LeasedLoads } from './leased-loads.js';
import { EarlyRefresh } from './early-refresh.js';
import { FailSafe } from './fail-safe.js';
import { LoadTimes } from './load-times.js';
import type { ReadCall as Call } from './read-call.js';

export interface ReadThroughSettings {
  readonly leaseTtlMs: number;
  readonly lockWaitMs: number;
  readonly ttlJitter: number;
  readonly l1: { readonly failSafe: boolean } | undefined;
}

const POLL_START_MS = 5;
const POLL_MAX_MS = 100;
/** Dropped-and-retried reads (undecodable entry, unconfirmed shared load) per call. */
const MAX_RETRIES = 1;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Leased read-through. A miss takes a lease under a token the reader
 * proposed; only its holder fills, and only while no invalidation reached
 * the entry since. Callers of this process that arrive while the holder
 * loads join it, and take its value only once the store confirmed the fill:
 * a value the store refused (an invalidation came first) or the policy
 * declined is never handed over; the joiner reads again, or runs its own
 * load. Other processes wait for the entry, polling, up to `lockWait`. With
 * an in-process tier, it is read first, and what Redis answers or a fill
 * stores is kept there unless an invalidation since the read began covers it.
 */
export class ReadThrough {
  readonly flights: LeasedFlights;
  readonly local = new LocalFlights();
  private readonly tokens = new LeaseTokens();
  private readonly leased: LeasedLoads;
  /** Fills under a lease; also what jitters a TTL. */
  readonly filler: LeasedFill;
  private readonly early: EarlyRefresh;
  private readonly failSafe: FailSafe | undefined;
  closed = false;

  constructor(
    private readonly store: FailOpenStore,
    private readonly invalidator: Invalidator,
    private readonly stats: CacheStats,
    private readonly payloads: Payloads,
    private readonly settings: ReadThroughSettings,
    private readonly tier: TwoTier | undefined,
    private readonly metrics: CacheRecorder,
    logger: CacheLogger,
    keyPrefix: string,
  ) {
    this.flights = new LeasedFlights(store, settings.leaseTtlMs);
    this.filler = new LeasedFill(
      store,
      invalidator,
      this.flights,
      stats,
      payloads,
      settings.ttlJitter,
    );
    this.leased = new LeasedLoads({
      store,
      invalidator,
      flights: this.flights,
      payloads,
      metrics,
      stats,
      logger,
      keyPrefix,
      times: new LoadTimes(keyPrefix),
      fill: (c, lease, flight, value) =>
        this.filler.fill(c, lease, flight, value),
    });
    this.early = new EarlyRefresh(this.leased, this.tokens, settings);
    this.failSafe = settings.l1?.failSafe
      ? new FailSafe(payloads, this.leased, logger, keyPrefix)
      : undefined;
  }

  getOrLoad<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    onStale?: () => void,
  ): Promise<T> {
    const tier = policy.l1 === false ? undefined : this.tier;
    const c: Call<T> = {
      key,
      tagKeys,
      loader,
      policy,
      tier,
      onStale,
      ticket: undefined,
      attempt: 0,
      span: this.metrics.span(key),
    };
    return this.metrics.ended(c, this.read(c));
  }

  private async read<T>(c: Call<T>): Promise<T> {
    if (this.invalidator.pending.size > 0 || !this.store.trusted) {
      return this.loadLocally(c, 'bypass');
    }
    if (c.tier) {
      const kept = c.tier.peek(c.key);
      if (kept !== undefined) {
        const value = this.payloads.decodeOrDrop(c.key, kept, c.policy);
        if (value !== DROPPED) {
          // the tier keeps the entry until its TTL: its hits draw the refresh too
          const beta = c.policy.earlyRefreshBeta;
          if (beta !== undefined)
            this.early.check(c, beta, c.tier.remainingMs(c.key));
          return this.metrics.hit(c, value, 'l1');
        }
      }
      c.ticket = c.tier.ticket();
    }
    const token = this.tokens.next();
    const graceMs = c.policy.graceMs ?? 0;
    // early refresh needs the entry's time left: the detailed read
    const early = c.policy.earlyRefreshBeta !== undefined;
    const plainFirst =
      !c.tagKeys.length && !c.policy.lateTags && !graceMs && !early;
    const outcome = await this.store.read(
      c.key,
      c.tagKeys,
      { token, ms: this.settings.leaseTtlMs },
      plainFirst,
      c.tier !== undefined || early,
      graceMs,
    );
    if (outcome === FAULT || outcome === SKIPPED) {
      return this.loadLocally(c, outcome === FAULT ? 'error' : 'bypass');
    }
    return this.onRead(c, outcome);
  }

  private onRead<T>(c: Call<T>, outcome: ReadOutcome): Promise<T> {
    if (!this.store.trusted) {
      // the connection went away while the read was out: its answer may
      // come from a Redis that restarted (a client that resends commands)
      if (isLeasedMiss(outcome))
        this.invalidator.releaseLater(c.key, outcome.lease.token);
      return this.loadLocally(c, 'bypass');
    }
    if (typeof outcome === 'string' || isDetailedHit(outcome)) {
      const payload = typeof outcome === 'string' ? outcome : outcome.payload;
      const value = this.payloads.decodeOrDrop(c.key, payload, c.policy);
      if (value !== DROPPED) {
        this.metrics.request(c, 'hit');
        // the in-process tier keeps an entry until its TTL, never into its grace
        const ttlMs =
          typeof outcome === 'string'
            ? 0
            : outcome.ttlMs - (c.policy.graceMs ?? 0);
        if (c.ticket && typeof outcome !== 'string' && ttlMs > 0) {
          c.tier?.admit(c.key, payload, outcome.tagKeys, ttlMs, c.ticket);
        }
        const beta = c.policy.earlyRefreshBeta;
        if (beta !== undefined && typeof outcome !== 'string')
          this.early.check(c, beta, ttlMs);
        return Promise.resolve(value);
      }
      return this.retry(c);
    }
    const { lease, outlived } = outcome;
    if (lease) {
      if (outlived && this.leased.revalidates(c, outlived))
        return this.leased.revalidate(c, outlived, (r) =>
          this.lead(r, lease, outlived),
        );
      return this.lead(c, lease, outlived);
    }
    if (outcome.holder !== undefined) {
      const kept = this.early.kept(c, outcome);
      if (kept !== DROPPED) return Promise.resolve(this.metrics.hit(c, kept));
      const flight = this.flights.get(c.key);
      if (flight && flight.token === outcome.holder)
        return this.join(c, flight);
      return this.awaitHolder(c);
    }
    return this.loadLocally(c);
  }

  private retry<T>(c: Call<T>): Promise<T> {
    if (c.attempt >= MAX_RETRIES) return this.loadLocally(c);
    c.attempt++;
    return this.read(c);
  }

  private lead<T>(
    c: Call<T>,
    lease: Lease,
    outlived: OutlivedEntry | undefined,
  ): Promise<T> {
    const flight = this.flights.start(c.key, lease.token, c.tagKeys);
    // with an outlived entry, counted once it is known whether it was served
    if (!outlived) this.metrics.request(c, 'miss');
    const done = this.leased.lead(c, lease, flight, outlived);
    flight.done = done;
    return done;
  }

  private async join<T>(c: Call<T>, flight: Flight): Promise<T> {
    const value = (await flight.done) as T;
    if (flight.outcome === 'stored') return this.metrics.hit(c, value);
    if (
      flight.outcome === 'stale' &&
      performance.now() < (flight.staleUntil ?? Infinity)
    ) {
      return this.leased.stale(c, value);
    }
    // not stored: the value may predate an invalidation, or is not one to share
    if (flight.outcome !== 'declined')
      // writes keep refusing the fills: still one load at a time, not one each
      return c.attempt < MAX_RETRIES ? this.retry(c) : this.loadLocally(c);
    this.metrics.request(c, 'miss');
    return this.metrics.load(c, c.loader);
  }

  /** Another process holds the lease: poll for its entry, or load once the wait is over. */
  private async awaitHolder<T>(c: Call<T>): Promise<T> {
    const token = this.tokens.next();
    const deadline = performance.now() + this.settings.lockWaitMs;
    let delay = POLL_START_MS;
    while (performance.now() < deadline && !this.closed) {
      await sleep(delay);
      delay = Math.min(delay * 2, POLL_MAX_MS);
      if (c.tier) c.ticket = c.tier.ticket();
      const outcome = await this.store.read(
        c.key,
        c.tagKeys,
        { token, ms: this.settings.leaseTtlMs },
        false,
        c.tier !== undefined,
        c.policy.graceMs ?? 0,
      );
      if (outcome === FAULT || outcome === SKIPPED) break;
      if (
        typeof outcome === 'string' ||
        isDetailedHit(outcome) ||
        outcome.lease
      ) {
        return this.onRead(c, outcome);
      }
      if (outcome.holder === undefined) break;
      const flight = this.flights.get(c.key);
      if (flight && flight.token === outcome.holder)
        return this.join(c, flight);
    }
    return this.loadLocally(c);
  }

  /** Loads without the store, one load per key at a time in this process. */
  private loadLocally<T>(
    c: Call<T>,
    result: 'miss' | 'bypass' | 'error' = 'miss',
  ): Promise<T> {
    this.metrics.request(c, result);
    const load = () => this.metrics.load(c, c.loader);
    const run = this.local.run(c.key, load, (value) => {
      try {
        return this.payloads.encodeOrSkip(c.key, value, c.policy) !== undefined;
      } catch {
        return false;
      }
    });
    // without Redis, a failed load may fall back on the tier's copy
    return this.failSafe && result !== 'miss'
      ? this.failSafe.guard(c, run)
      : run;
  }
}
