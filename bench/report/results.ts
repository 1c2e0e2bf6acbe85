import type { CommandCounts } from '../support/redis-stats.js';
import type { Spread } from '../support/stats.js';
import type { Adapter, VariantId } from '../variants/registry.js';

/** The shape of bench/results/<date>.json (and what the report renders). */
export interface BenchResults {
  readonly schema: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'quick' | 'full';
  readonly machine: MachineInfo;
  readonly settings: Record<string, unknown>;
  readonly throughput?: ThroughputResults;
  readonly roundTrips?: RoundTripResult[];
  readonly stampede?: StampedeResult[];
  readonly invalidation?: InvalidationResults;
  readonly memory?: MemoryResults;
  /** The PostgreSQL data set of variant 2 and the app figures. */
  readonly dataset?: DatasetInfo;
  /** Figures measured through apps/api (see runner/app-figures.ts). */
  readonly app?: AppResults;
  /** Figures not measured, with why (none since apps/api landed; kept for old result files). */
  readonly pending: PendingFigure[];
  readonly targets: TargetResult[];
  readonly problems: string[];
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly nproc: number;
  readonly node: string;
  readonly platform: string;
  readonly redis: string;
  readonly clockTicks: number;
  readonly pinning: string;
  /** CPU used by other processes just before the run, % of one CPU. */
  readonly foreignLoadAtStartPct: number;
}

export interface RoundSample {
  readonly round: number;
  readonly adapter: Adapter;
  readonly variant: VariantId;
  readonly requests: number;
  readonly durationSec: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server user+sys CPU per request, µs (from /proc/<pid>/stat). */
  readonly cpuUsPerReq: number;
  /** Server CPU time / wall time, %. Near 100: the server's core was the limit. */
  readonly serverBusyPct: number;
  /** Runner (load generator) CPU time / wall time, %. */
  readonly clientBusyPct: number;
  /** Time the server's CPU spent on anything but the server, %: another workload competing. */
  readonly serverCoreOtherPct: number;
  /** Time stolen by the hypervisor from the server's CPU, %. */
  readonly serverCoreStealPct: number;
  /** Redis commands per request from INFO commandstats (commands run inside scripts included). */
  readonly redisCmdsPerReq: number;
  readonly redisCmds: CommandCounts;
  /** PostgreSQL backend CPU per request, µs (variant 2 only; NaN when /proc cannot see PostgreSQL). */
  readonly dbCpuUsPerReq?: number;
  readonly non2xx: number;
  readonly errors: number;
}

export interface VariantSummary {
  readonly adapter: Adapter;
  readonly variant: VariantId;
  readonly rps: Spread;
  readonly p50Ms: Spread;
  readonly p99Ms: Spread;
  readonly cpuUsPerReq: Spread;
  readonly serverBusyPct: Spread;
  readonly clientBusyPct: Spread;
  readonly serverCoreOtherPct: Spread;
  readonly redisCmdsPerReq: Spread;
  /** Per-request commandstats over all rounds. */
  readonly redisCmdsBreakdown: CommandCounts;
  /** Handler runs during the measured rounds (0 for a cached variant: all hits). */
  readonly handlerRunsInRounds: number;
  /** PostgreSQL backend CPU per request, µs (variant 2 only). */
  readonly dbCpuUsPerReq?: Spread;
}

export interface RatioSummary {
  readonly adapter: Adapter;
  /** e.g. '3/1' */
  readonly name: string;
  readonly numerator: VariantId;
  readonly denominator: VariantId;
  /** Throughput ratio per round, paired within the round. */
  readonly rps: Spread;
  /** CPU-per-request ratio per round. */
  readonly cpu: Spread;
}

export interface ThroughputResults {
  readonly samples: RoundSample[];
  readonly summaries: VariantSummary[];
  readonly ratios: RatioSummary[];
}

export interface RoundTripResult {
  readonly adapter: Adapter;
  readonly variant: VariantId;
  readonly requests: number;
  /** Commands clients sent per request: the round trips of a hit. */
  readonly roundTripsPerReq: number;
  /** Commands run inside Lua scripts per request (no extra round trip). */
  readonly scriptCmdsPerReq: number;
  readonly clientCommands: CommandCounts;
  readonly scriptCommands: CommandCounts;
}

export interface StampedeResult {
  readonly adapter: Adapter;
  readonly variant: VariantId;
  readonly concurrency: number;
  readonly loaderMs: number;
  /** Loader calls per trial. */
  readonly loaderCalls: number[];
  readonly loaderCallsMedian: number;
  /** Requests in all trials, and how many answered 200 with the right body. */
  readonly requests: number;
  readonly okResponses: number;
  readonly p50Ms: number;
  readonly maxMs: number;
}

export interface OpCost {
  readonly ms: number;
  /** Redis commands (INFO commandstats, script-internal ones included). */
  readonly commands: number;
  readonly breakdown: CommandCounts;
}

export interface InvalidationResults {
  readonly keyspace: number;
  readonly tagged: number;
  readonly small: number;
  /** invalidateTags on a tag carried by `small` entries (median of repeats). */
  readonly tagSmall: OpCost;
  /** invalidateTags on a tag carried by `tagged` entries (median of repeats). */
  readonly tagLarge: OpCost;
  /** deletePattern matching the `tagged` entries, among `keyspace` keys. */
  readonly pattern: OpCost & { readonly deleted: number };
  readonly writeSeconds: number;
}

export interface MemoryRow {
  readonly name: string;
  readonly description: string;
  readonly entries: number;
  readonly usedMemoryDelta: number;
  /** MB (10^6 bytes) per 1,000,000 entries. */
  readonly mbPerMillion: number;
  readonly bytesPerEntry: number;
  /** Mean stored value length, bytes. */
  readonly valueBytes: number;
  readonly writeSeconds: number;
}

export interface MemoryResults {
  readonly entries: number;
  readonly rows: MemoryRow[];
}

export interface PendingFigure {
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly plan: string;
}

export interface TargetResult {
  readonly id: string;
  readonly target: string;
  readonly measured: string;
  /** null: not measured. */
  readonly met: boolean | null;
  /** How far from the target, when missed; or why not measured. */
  readonly note: string;
  readonly reference?: string;
}

export interface DatasetInfo {
  /** `large` (apps/api's seed:large sizes) or `small` (a tenth). */
  readonly name: string;
  readonly users: number;
  readonly projects: number;
  readonly terms: number;
  /** Time of the API's generator (seedLargeData), ms. */
  readonly seedMs: number;
  readonly postgres: string;
  /** `existing`: the configured server; `throwaway`: one the bench started. */
  readonly server: 'existing' | 'throwaway';
  readonly database: string;
}

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

export type SeedBackend = 'postgres' | 'redis' | 'memory';

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
  /** Mean sequential latency of PostgreSQL / of the hit. */
  readonly speedup: { readonly redis: number; readonly memory: number };
  /** ops/s of the hit / of PostgreSQL, with `concurrency` in flight. */
  readonly throughputSpeedup: {
    readonly redis: number;
    readonly memory: number;
  };
}

export interface SeedTableResults {
  readonly keys: number;
  readonly concurrency: number;
  readonly rows: SeedTableRow[];
}

export type MixedMode = 'cache' | 'no-cache';

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
}

export interface MixedWorkloadResults {
  readonly connections: number;
  readonly zipfS: number;
  readonly writeShare: number;
  readonly warmupSec: number;
  /** Requests and hit rate of the cached API's warm-up (from an empty cache). */
  readonly warmup: { readonly requests: number; readonly hitRate: number };
  /** Request kinds and their shares. */
  readonly mix: { readonly kind: string; readonly share: number }[];
  readonly rounds: MixedRound[];
  readonly summaries: MixedModeSummary[];
  /** cache / no cache, per round. */
  readonly rpsRatio: Spread;
  readonly p99Ratio: Spread;
}
