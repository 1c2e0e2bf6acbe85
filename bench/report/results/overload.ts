/** One phase of the overload figure: healthy, Redis slowed, recovery. */
export interface OverloadPhase {
  /** `no-cache`: the control, the same load on the API without its cache module (no single flight). */
  readonly phase: 'healthy' | 'slow' | 'recovery' | 'no-cache';
  readonly durationSec: number;
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 2xx, and socket errors or timeouts of the load generator. */
  readonly non2xx: number;
  readonly errors: number;
  readonly statuses: Record<string, number>;
  /** Share of the GETs answered `X-Cache: HIT`. */
  readonly hitRate: number;
  /** Loads that reached PostgreSQL, counted in the API (server/load-counter.ts), and per second. */
  readonly loads: number;
  readonly loadsPerSec: number;
  readonly loadsByKind: Record<string, number>;
  /** The cache's own lexikon_cache_loads_total over the phase (route entries and the API-key lookup). */
  readonly loadsMetric: number;
  /** Loads per request. */
  readonly loadsPerReq: number;
  /** The most loads of one key in flight at once in the API process. */
  readonly maxInFlightPerKey: number;
  readonly hottestKey: string | null;
  readonly mostLoadsOfOneKey: number;
  /**
   * Queries the API sent to PostgreSQL (counted in the API: pg_stat_database
   * publishes a busy backend's counts up to 10 s late, too coarse for phases), and per second.
   */
  readonly pgQueries: number;
  readonly pgQueriesPerSec: number;
  /** CPU of the API's PostgreSQL backends per request, µs. */
  readonly dbCpuUsPerReq: number;
  /** Share of the /metrics samples with lexikon_cache_breaker_open = 1, and how many samples. */
  readonly breakerOpenShare: number;
  readonly breakerSamples: number;
  /** Closed → open transitions seen by the samples (each open lasts the cooldown, longer than the sampling interval). */
  readonly breakerOpens: number;
  readonly breakerCloses: number;
  /** The changes seen, `open@<ms>` / `closed@<ms>` from the phase's start (the first 50). */
  readonly breakerChanges: string;
  readonly breakerOpenAtEnd: boolean;
  /** Recovery: ms from the phase's start to the first sample with the breaker closed. */
  readonly breakerClosedAfterMs?: number;
}

export interface OverloadResults {
  readonly connections: number;
  readonly zipfS: number;
  readonly writeShare: number;
  readonly commandTimeoutMs: number;
  /** How Redis was slowed: SIGSTOP for pausedMs, SIGCONT for runningMs, `cycles` times. */
  readonly pausedMs: number;
  readonly runningMs: number;
  readonly cycles: number;
  readonly phases: OverloadPhase[];
  /** The first distinct warnings the API logged (timeouts and the breaker are expected). */
  readonly apiWarnings: string[];
}
