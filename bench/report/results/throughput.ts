import type { CommandCounts } from '../../support/redis-stats.js';
import type { Spread } from '../../support/stats.js';
import type { Adapter, VariantId } from '../../variants/registry.js';

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
