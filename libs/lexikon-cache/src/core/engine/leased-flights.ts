import type { FailOpenStore } from '../guard/fail-open-store.js';

/** How a leased load ended, which decides what callers that joined it may take. */
export type FillOutcome =
  | 'stored'
  | 'declined'
  | 'refused'
  | 'unknown'
  /** an entry within its grace was served instead (the store confirmed it still may be) */
  | 'stale';

export interface Flight {
  readonly token: string;
  readonly tagKeys: readonly string[];
  done: Promise<unknown>;
  outcome: FillOutcome | undefined;
  /** With outcome 'stale': until when (monotonic ms) joiners may take it. */
  staleUntil?: number;
}

/**
 * The leased loads of this process, by key, for callers that arrive while
 * one runs; and the renewal of their leases while their loaders run.
 */
export class LeasedFlights {
  private readonly flights = new Map<string, Flight>();

  constructor(
    private readonly store: FailOpenStore,
    private readonly leaseTtlMs: number,
  ) {}

  get(key: string): Flight | undefined {
    return this.flights.get(key);
  }

  start(key: string, token: string, tagKeys: readonly string[]): Flight {
    const flight: Flight = {
      token,
      tagKeys,
      done: Promise.resolve(),
      outcome: undefined,
    };
    this.flights.set(key, flight);
    return flight;
  }

  /** Stops taking joiners for this load. */
  forget(key: string, flight: Flight): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
  }

  /** Loads that an invalidation may cover stop taking joiners. */
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

  /** Renews a lease while its loader runs, so that only a dead holder lets it lapse. */
  keepLease(key: string, token: string): () => void {
    const ms = this.leaseTtlMs;
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
}
