import type { AppResults } from './results/app.js';
import type { CoherenceResults } from './results/coherence.js';
import type { HttpGzipResults } from './results/http-gzip.js';
import type {
  InvalidationResults,
  MemoryResults,
  RoundTripResult,
  StampedeResult,
} from './results/redis-figures.js';
import type { ThroughputResults } from './results/throughput.js';
import type { OverloadResults } from './results/overload.js';

export type * from './results/app.js';
export type * from './results/coherence.js';
export type * from './results/http-gzip.js';
export type * from './results/redis-figures.js';
export type * from './results/throughput.js';
export type * from './results/overload.js';

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
  /** Write latency the in-process tier's coherence adds (runner/coherence.ts). */
  readonly coherence?: CoherenceResults;
  /** The PostgreSQL data set of variant 2 and the app figures. */
  readonly dataset?: DatasetInfo;
  /** Figures measured through apps/api (see runner/app-figures.ts). */
  readonly app?: AppResults;
  /** Redis slowed under the API (runner/overload.ts). */
  readonly overload?: OverloadResults;
  /** A large answer hit plain and gzip-encoded (runner/http-gzip.ts). */
  readonly httpGzip?: HttpGzipResults;
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
