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
  /** Figures measured through apps/api (see runner/pending.ts). */
  readonly app?: Record<string, unknown>;
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
