import { ADAPTERS, type Adapter } from '../variants/registry.js';

export type FigureId =
  | 'throughput'
  | 'roundtrips'
  | 'stampede'
  | 'invalidation'
  | 'memory'
  | 'seedtable'
  | 'mixed'
  | 'coherence'
  | 'overload'
  | 'gzip';

export const FIGURES: readonly FigureId[] = [
  'throughput',
  'roundtrips',
  'stampede',
  'invalidation',
  'memory',
  'seedtable',
  'mixed',
  'coherence',
  'overload',
  'gzip',
];

/** Rows of the generated data set (apps/api's large seed, or a tenth of it). */
export interface DatasetSizes {
  readonly users: number;
  readonly projects: number;
  readonly terms: number;
}

export const DATASETS = {
  large: { users: 10_000, projects: 1_000, terms: 100_000 },
  small: { users: 1_000, projects: 100, terms: 10_000 },
} as const satisfies Record<string, DatasetSizes>;

export type DatasetName = keyof typeof DATASETS;

export interface BenchOptions {
  readonly mode: 'quick' | 'full';
  readonly rounds: number;
  readonly durationSec: number;
  readonly warmupSec: number;
  readonly connections: number;
  /** Distinct term ids the load cycles through (all cached after warm-up). */
  readonly keys: number;
  readonly adapters: readonly Adapter[];
  readonly figures: readonly FigureId[];
  readonly stampede: {
    readonly concurrency: number;
    readonly loaderMs: number;
    readonly trials: number;
  };
  readonly invalidation: {
    /** Entries carrying the tag (and matched by the pattern). */
    readonly tagged: number;
    /** Keys in Redis in all, the tagged ones included. */
    readonly keyspace: number;
    /** A small tag, to show that the cost does not grow with entries. */
    readonly small: number;
  };
  readonly memory: { readonly entries: number };
  /** The data set in PostgreSQL (variant 2, the seed's table, the mixed workload). */
  readonly dataset: DatasetName;
  readonly seedTable: {
    /** Distinct keys per operation, cycled (every one a hit once primed). */
    readonly keys: number;
    /** Sequential calls per row (one in flight: the latency figures). */
    readonly sequential: number;
    /** Calls per row with `concurrency` in flight (the ops/s figure). */
    readonly concurrent: number;
    readonly concurrency: number;
    /** Upper bound on each of those loops, in seconds. */
    readonly maxSec: number;
  };
  readonly mixed: {
    /** Zipf exponent of the id popularity. */
    readonly zipfS: number;
    /** Share of requests that are writes (PATCH through the API). */
    readonly writeShare: number;
    /** Seconds of the same traffic before the rounds (the cache starts empty). */
    readonly warmupSec: number;
  };
  readonly coherence: {
    /** Interleaved rounds: each times `opsPerRound` writes with the tier and as many without. */
    readonly rounds: number;
    readonly opsPerRound: number;
    /** Stalls per instance count (each: one first write, then steady writes). */
    readonly stallTrials: number;
    /** Entries the instances hold in their tier, all under one tag. */
    readonly keys: number;
  };
  /** Redis slowed under the API: SIGSTOP pausedMs, SIGCONT runningMs, `cycles` times. */
  readonly overload: {
    readonly cycles: number;
    readonly pausedMs: number;
    readonly runningMs: number;
    readonly writeShare: number;
  };
  /** Where results go (default bench/results); `write: false` prints only. */
  readonly outDir?: string;
  readonly write: boolean;
  /** Re-render latest.md / latest.svg from this results JSON instead of running. */
  readonly render?: string;
}

const HELP = `Usage: npm run bench -- [options]

  --quick              smoke run: 1 round of 2 s per variant, small sizes (< 2 min)
  --rounds N           rounds per variant and adapter (full: 3)
  --duration S         seconds per round (full: 10)
  --warmup S           seconds of warm-up load per server before the rounds
  --connections N      concurrent connections of the load generator (100)
  --adapters LIST      fastify,express (default both)
  --only LIST          figures to run: ${FIGURES.join(',')}
  --write-share X      share of writes in the mixed workload (0.05)
  --dataset NAME       PostgreSQL data set: large (10,000 users, 1,000 projects,
                       100,000 terms; full default) or small (a tenth; quick default)
  --out DIR            results directory (default bench/results)
  --no-write           print the report, write no file
  --render FILE        re-render latest.md and latest.svg from a results JSON (no run)
  --help               this text
`;

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${name} needs a positive number, got ${String(value)}`);
  return n;
}

function list<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[],
): T[] {
  const items = (value ?? '').split(',').filter(Boolean);
  for (const item of items) {
    if (!allowed.includes(item as T))
      throw new Error(
        `${name}: unknown "${item}" (one of ${allowed.join(', ')})`,
      );
  }
  if (items.length === 0) throw new Error(`${name} needs a list`);
  return items as T[];
}

/** Parses the command line; returns undefined after printing --help. */
export function parseOptions(
  argv: readonly string[],
): BenchOptions | undefined {
  const quick = argv.includes('--quick');
  let rounds = quick ? 1 : 3;
  let durationSec = quick ? 2 : 10;
  let warmupSec = quick ? 1 : 3;
  let connections = 100;
  let adapters: readonly Adapter[] = ADAPTERS;
  let figures: readonly FigureId[] = FIGURES;
  let outDir: string | undefined;
  let write = true;
  let render: string | undefined;
  let dataset: DatasetName = quick ? 'small' : 'large';
  let writeShare = 0.05;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i];
    switch (arg) {
      case '--quick':
        break;
      case '--rounds':
        rounds = Math.round(positive(arg, value()));
        break;
      case '--duration':
        durationSec = positive(arg, value());
        break;
      case '--warmup':
        warmupSec = positive(arg, value());
        break;
      case '--connections':
        connections = Math.round(positive(arg, value()));
        break;
      case '--adapters':
        adapters = list(arg, value(), ADAPTERS);
        break;
      case '--only':
        figures = list(arg, value(), FIGURES);
        break;
      case '--write-share': {
        writeShare = Number(value());
        if (!(writeShare >= 0 && writeShare <= 1))
          throw new Error('--write-share needs a number from 0 to 1');
        break;
      }
      case '--dataset': {
        const name = value();
        if (name !== 'large' && name !== 'small')
          throw new Error(`--dataset: large or small, got ${String(name)}`);
        dataset = name;
        break;
      }
      case '--out':
        outDir = value();
        break;
      case '--no-write':
        write = false;
        break;
      case '--render':
        render = value();
        break;
      case '--help':
      case '-h':
        process.stdout.write(HELP);
        return undefined;
      default:
        throw new Error(`unknown option ${arg}\n\n${HELP}`);
    }
  }
  return {
    mode: quick ? 'quick' : 'full',
    rounds,
    durationSec,
    warmupSec,
    connections,
    keys: 100,
    adapters,
    figures,
    stampede: { concurrency: 200, loaderMs: 50, trials: quick ? 1 : 3 },
    invalidation: quick
      ? { tagged: 10_000, keyspace: 100_000, small: 100 }
      : { tagged: 100_000, keyspace: 1_000_000, small: 1_000 },
    memory: { entries: quick ? 100_000 : 1_000_000 },
    dataset,
    seedTable: quick
      ? {
          keys: 50,
          sequential: 200,
          concurrent: 500,
          concurrency: 10,
          maxSec: 0.5,
        }
      : {
          keys: 100,
          sequential: 2_000,
          concurrent: 10_000,
          concurrency: 10,
          maxSec: 8,
        },
    mixed: { zipfS: 1.0, writeShare, warmupSec: quick ? 1 : 30 },
    coherence: quick
      ? { rounds: 5, opsPerRound: 20, stallTrials: 1, keys: 10 }
      : { rounds: 10, opsPerRound: 50, stallTrials: 3, keys: 10 },
    overload: {
      cycles: quick ? 5 : 15,
      pausedMs: 400,
      runningMs: 200,
      writeShare: 0,
    },
    outDir,
    write,
    render,
  };
}
