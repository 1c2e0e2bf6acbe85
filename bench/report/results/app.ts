import type { CommandCounts } from '../../support/redis-stats.js';
import type { Spread } from '../../support/stats.js';

export interface AppResults {
  readonly seedTable?: SeedTableResults;
  readonly mixedWorkload?: MixedWorkloadResults;
}

/** Calls of one operation on one backend, timed one by one. */
export interface CallStats {
  readonly calls: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export type SeedBackend = 'postgres' | 'redis' | 'l1' | 'memory';

/** The cache sources of the seed's table (every backend but PostgreSQL). */
export type SeedCacheBackend = Exclude<SeedBackend, 'postgres'>;

export interface SeedTableCell {
  readonly backend: SeedBackend;
  /** One call in flight: the latency figures. */
  readonly sequential: CallStats;
  /** `concurrency` calls in flight: the throughput figure. */
  readonly concurrent: CallStats;
  /** Loader (service) calls during the timed loops: 0 for a cache row (all hits). */
  readonly loaderCallsTimed: number;
  /** PostgreSQL backend CPU per call over both loops, µs (postgres rows). */
  readonly dbCpuUsPerCall?: number;
}

export interface SeedTableRow {
  readonly id: 'get-user' | 'term-search' | 'project-terms';
  readonly label: string;
  /** The service call (the PostgreSQL row). */
  readonly service: string;
  /** The cache key and tags of the cache rows (as the API caches the route). */
  readonly cacheKey: string;
  readonly tags: string;
  /** The seed's claimed speed-up of a cache hit over PostgreSQL. */
  readonly claim: number;
  /** Mean JSON size of the values, bytes, and mean items (arrays). */
  readonly valueBytes: number;
  readonly items?: number;
  readonly cells: SeedTableCell[];
  /** Mean sequential latency of PostgreSQL / of the hit (`l1`: absent in runs before it was measured). */
  readonly speedup: Partial<Record<SeedCacheBackend, number>> & {
    readonly redis: number;
    readonly memory: number;
  };
  /** ops/s of the hit / of PostgreSQL, with `concurrency` in flight. */
  readonly throughputSpeedup: Partial<Record<SeedCacheBackend, number>> & {
    readonly redis: number;
    readonly memory: number;
  };
}

export interface SeedTableResults {
  readonly keys: number;
  readonly concurrency: number;
  readonly rows: SeedTableRow[];
}

/**
 * The APIs of the mixed workload: no cache, Redis only (`CACHE_L1=false`),
 * Redis with the in-process tier. `cache` is the one cached API of runs
 * before the split (its L1 setting unrecorded), kept to render them.
 */
export type MixedMode = 'no-cache' | 'redis' | 'l1' | 'cache';

/** Hits by the tier that answered them, from the API's `lexikon_cache_requests_total`. */
export interface TierHits {
  /** Route entries only (every namespace but the API-key lookup's `auth`). */
  readonly requests: number;
  readonly hits: Record<string, number>;
}

/** A MONITOR probe of a cached API after its rounds: the commands as clients sent them. */
export interface MixedRoundTrips {
  readonly mode: MixedMode;
  readonly requests: number;
  readonly connections: number;
  /** Commands clients sent (each one call on the wire) per request. */
  readonly roundTripsPerReq: number;
  /** Commands run inside Lua scripts per request (no call of their own). */
  readonly scriptCmdsPerReq: number;
  readonly clientCommands: CommandCounts;
}

/** One cached API against the one without cache, paired per round. */
export interface MixedRatio {
  readonly mode: MixedMode;
  readonly rps: Spread;
  readonly p99: Spread;
}

/** Responses of one request kind of the mixed workload. */
export interface MixedKindCount {
  readonly kind: string;
  readonly requests: number;
  readonly hits: number;
  readonly misses: number;
  readonly bypasses: number;
  readonly meanMs: number;
}

export interface MixedRound {
  readonly round: number;
  readonly mode: MixedMode;
  readonly requests: number;
  readonly durationSec: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly writes: number;
  /** X-Cache answers on cacheable GETs. */
  readonly hits: number;
  readonly misses: number;
  readonly bypasses: number;
  /** hits / (hits + misses + bypasses); NaN without cache. */
  readonly hitRate: number;
  readonly cpuUsPerReq: number;
  readonly dbCpuUsPerReq: number;
  readonly serverBusyPct: number;
  readonly serverCoreOtherPct: number;
  readonly redisCmdsPerReq: number;
  readonly redisCmds: CommandCounts;
  /** Answers by status code. */
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly byKind: MixedKindCount[];
  /** Cached APIs: hits by tier over the round (from its /metrics). */
  readonly tierHits?: TierHits;
}

export interface MixedModeSummary {
  readonly mode: MixedMode;
  readonly rps: Spread;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  readonly hitRate: Spread;
  /** Over all measured rounds. */
  readonly hitRateOverall: number;
  readonly cpuUsPerReq: Spread;
  readonly dbCpuUsPerReq: Spread;
  readonly redisCmdsPerReq: Spread;
  /** Per-request commandstats over all measured rounds. */
  readonly redisCmdsBreakdown: CommandCounts;
  readonly non2xx: number;
  readonly errors: number;
  readonly byKind: MixedKindCount[];
  /** Cached APIs: hits by tier over all measured rounds. */
  readonly tierHits?: TierHits;
  /** Cached APIs: the MONITOR probe after the rounds. */
  readonly roundTrips?: MixedRoundTrips;
}

export interface MixedWorkloadResults {
  readonly connections: number;
  readonly zipfS: number;
  readonly writeShare: number;
  readonly warmupSec: number;
  /** Requests and hit rate of the cached API's warm-up (from an empty cache; since the split, Redis + L1's). */
  readonly warmup: { readonly requests: number; readonly hitRate: number };
  /** The same per cached API (runs since the split). */
  readonly warmups?: {
    readonly mode: MixedMode;
    readonly requests: number;
    readonly hitRate: number;
  }[];
  /** Request kinds and their shares. */
  readonly mix: { readonly kind: string; readonly share: number }[];
  readonly rounds: MixedRound[];
  readonly summaries: MixedModeSummary[];
  /** Each cached API / no cache, per round. */
  readonly vsNoCache?: MixedRatio[];
  /** cache / no cache, per round (runs before the split). */
  readonly rpsRatio?: Spread;
  readonly p99Ratio?: Spread;
}
