import { LoaderTimeoutError } from '../errors/lexikon-cache.error.js';
import {
  FAULT,
  SKIPPED,
  type FailOpenStore,
} from '../guard/fail-open-store.js';
import { keyNamespace } from '../keys/cache-keys.js';
import type { CacheLogger } from '../logger.js';
import type { CacheRecorder } from '../metrics/cache-recorder.js';
import type { Lease, OutlivedEntry } from '../store/cache-store.js';
import type { CacheStats } from './cache-stats.js';
import type { Invalidator } from './invalidator.js';
import type { Flight, LeasedFlights } from './leased-flights.js';
import type { LoadTimes } from './load-times.js';
import type { ReadCall } from './read-call.js';
import { DROPPED, type Payloads } from './payloads.js';

/** What a leased load needs of the read-through it runs in. */
export interface LeadParts {
  readonly store: FailOpenStore;
  readonly invalidator: Invalidator;
  readonly flights: LeasedFlights;
  readonly payloads: Payloads;
  readonly metrics: CacheRecorder;
  readonly stats: CacheStats;
  readonly logger: CacheLogger;
  readonly keyPrefix: string;
  /** Loader times, kept for entries with early refresh. */
  readonly times: LoadTimes;
  /** Stores a loaded value under the lease (the common fill). */
  fill<T>(c: ReadCall<T>, lease: Lease, flight: Flight, value: T): Promise<T>;
}

type Settled<T> =
  | { readonly ok: true; readonly value: T; readonly stale: boolean }
  | { readonly ok: false; readonly err: unknown };

const SOFT = Symbol('soft');
const HARD = Symbol('hard');

/**
 * A leased load: the loader runs while its lease is renewed, and its value
 * is filled through the lease. With a grace period or loader timeouts, more:
 * the entry that had
 * outlived its TTL stays in the store under the lease; it is served only
 * once the store confirmed that no invalidation reached it since (the
 * lease is still held, its tags are current) and nothing waits to be
 * replayed here: when the loader fails, when it passes its soft timeout
 * (the load goes on, and fills through the same lease), or at its hard
 * timeout. A failed load puts the entry back for the rest of its grace.
 */
export class LeasedLoads {
  constructor(readonly p: LeadParts) {}

  async lead<T>(
    c: ReadCall<T>,
    lease: Lease,
    flight: Flight,
    outlived: OutlivedEntry | undefined,
  ): Promise<T> {
    const started = performance.now();
    const settled = this.loadAndSettle(c, lease, flight, outlived, started);
    const { softTimeoutMs: softMs, hardTimeoutMs: hardMs } = c.policy;
    const timers: NodeJS.Timeout[] = [];
    const after = <S>(ms: number | undefined, what: S) =>
      ms === undefined
        ? undefined
        : new Promise<S>((resolve) => {
            timers.push(setTimeout(() => resolve(what), ms));
          });
    const soft = outlived ? after(softMs, SOFT) : undefined;
    const hard = after(hardMs, HARD);
    try {
      let first =
        soft || hard
          ? await Promise.race(
              [settled, soft, hard].filter((p) => p !== undefined),
            )
          : await settled;
      if (first === SOFT && outlived) {
        const kept = await this.staleNow(c, lease, outlived, started);
        if (kept !== DROPPED) {
          return this.answerStale(c, flight, kept, started, outlived, 'soft');
        }
        first = await Promise.race(
          [settled, hard].filter((p) => p !== undefined),
        );
      }
      if (first === HARD) {
        const kept = outlived
          ? await this.staleNow(c, lease, outlived, started)
          : DROPPED;
        if (outlived && kept !== DROPPED) {
          return this.answerStale(c, flight, kept, started, outlived, 'hard');
        }
        if (outlived && !c.background) this.p.metrics.request(c, 'miss');
        throw LoaderTimeoutError.create(this.namespace(c), hardMs ?? 0);
      }
      const r = first as Settled<T>;
      if (r.ok && r.stale) return this.stale(c, r.value);
      if (outlived && !c.background) this.p.metrics.request(c, 'miss');
      if (r.ok) return r.value;
      throw r.err;
    } finally {
      for (const t of timers) clearTimeout(t);
    }
  }

  /** The load and what follows it; never rejects. */
  private async loadAndSettle<T>(
    c: ReadCall<T>,
    lease: Lease,
    flight: Flight,
    outlived: OutlivedEntry | undefined,
    started: number,
  ): Promise<Settled<T>> {
    const { flights, invalidator } = this.p;
    const stopRenewing = c.early
      ? () => undefined
      : flights.keepLease(c.key, lease.token);
    let value: T;
    try {
      const t0 =
        c.policy.earlyRefreshBeta === undefined ? -1 : performance.now();
      value = await this.p.metrics.load(c, c.loader);
      if (t0 >= 0) this.p.times.record(c.key, performance.now() - t0);
    } catch (err) {
      stopRenewing();
      flights.forget(c.key, flight);
      if (
        outlived &&
        (await this.servable(c, lease, outlived, started, true))
      ) {
        const kept = this.decoded(c, outlived);
        if (kept !== DROPPED) {
          flight.outcome ??= 'stale';
          if (!c.background) this.warn(c, 'its loader failed', err);
          return { ok: true, value: kept, stale: true };
        }
      } else if (!outlived) {
        invalidator.releaseLater(c.key, lease.token);
      }
      flight.outcome ??= 'declined';
      return { ok: false, err };
    }
    stopRenewing();
    try {
      return {
        ok: true,
        value: await this.p.fill(c, lease, flight, value),
        stale: false,
      };
    } catch (err) {
      return { ok: false, err };
    }
  }

  /**
   * Whether the outlived entry may be served now: asked of the store, which
   * puts it back (for the rest of its grace) when `putBack`.
   */
  private async servable<T>(
    c: ReadCall<T>,
    lease: Lease,
    outlived: OutlivedEntry,
    started: number,
    putBack = false,
  ): Promise<boolean> {
    const { invalidator, store } = this.p;
    const left = Math.floor(outlived.ttlMs - (performance.now() - started));
    if (invalidator.pending.size > 0 || left < 1) {
      if (putBack) invalidator.releaseLater(c.key, lease.token);
      return false;
    }
    const ms = putBack ? left : 0;
    const r = await store.call('kept', c.key, (s) =>
      s.keptEntry(c.key, lease.token, ms),
    );
    if (r === FAULT || r === SKIPPED) {
      if (putBack) invalidator.releaseLater(c.key, lease.token);
      return false;
    }
    return r && invalidator.pending.size === 0;
  }

  private decoded<T>(
    c: ReadCall<T>,
    outlived: OutlivedEntry,
  ): T | typeof DROPPED {
    return this.p.payloads.decodeOrDrop(c.key, outlived.payload, c.policy);
  }

  /** The outlived entry's value while the load goes on, if it may be served now. */
  private async staleNow<T>(
    c: ReadCall<T>,
    lease: Lease,
    outlived: OutlivedEntry,
    started: number,
  ): Promise<T | typeof DROPPED> {
    if (!(await this.servable(c, lease, outlived, started))) return DROPPED;
    return this.decoded(c, outlived);
  }

  /** Answers a timed-out load's callers (and later joiners, within its grace) with the outlived entry. */
  private answerStale<T>(
    c: ReadCall<T>,
    flight: Flight,
    value: T,
    started: number,
    outlived: OutlivedEntry,
    which: 'soft' | 'hard',
  ): T {
    flight.outcome ??= 'stale';
    flight.staleUntil = started + outlived.ttlMs;
    this.warn(c, `its loader passed its ${which} timeout`);
    return this.stale(c, value);
  }

  /** Whether an outlived entry is young enough to answer at once while it revalidates. */
  revalidates<T>(c: ReadCall<T>, outlived: OutlivedEntry): boolean {
    const swr = c.policy.staleWhileRevalidateMs;
    return swr !== undefined && outlived.ttlMs >= (c.policy.graceMs ?? 0) - swr;
  }

  /**
   * Answers with the outlived entry now (the read that named it checked its
   * tags) and has `lead` reload it in the background under the lease this
   * read took, so one refresh runs per key across instances.
   */
  revalidate<T>(
    c: ReadCall<T>,
    outlived: OutlivedEntry,
    lead: (refresh: ReadCall<T>) => Promise<T>,
  ): Promise<T> {
    const value = this.decoded(c, outlived);
    if (value === DROPPED) return lead(c);
    const refresh: ReadCall<T> = {
      ...c,
      background: true,
      onStale: undefined,
      span: undefined,
    };
    // its failure puts the entry back (within its grace) and is nobody's answer
    lead(refresh).catch(() => undefined);
    return Promise.resolve(this.stale(c, value));
  }

  /** Counts and reports a stale answer. */
  stale<T>(c: ReadCall<T>, value: T): T {
    this.p.stats.stale++;
    this.p.metrics.request(c, 'stale');
    c.onStale?.();
    return value;
  }

  private namespace<T>(c: ReadCall<T>): string {
    return keyNamespace(c.key.slice(this.p.keyPrefix.length));
  }

  private warn<T>(c: ReadCall<T>, why: string, err?: unknown): void {
    const cause =
      err === undefined
        ? ''
        : `: ${err instanceof Error ? err.message : typeof err === 'string' ? err : 'a non-Error was thrown'}`;
    this.p.logger.warn(
      `Serving a "${this.namespace(c)}" entry past its TTL (within its grace) because ${why}${cause}`,
    );
  }
}
