import type { Adapter, ServerVariantId } from '../variants/registry.js';

/** What the runner tells a bench server process (as JSON in argv[2]). */
export interface BenchServerConfig {
  readonly variant: ServerVariantId;
  readonly adapter: Adapter;
  readonly redisUrl: string;
  /** Terms the server knows (ids from data/terms.ts). */
  readonly termCount: number;
  /** Loader time of the `/slow/:id` route, in ms. */
  readonly slowMs: number;
  /** Cache TTL, in seconds: longer than the whole run. */
  readonly ttlSeconds: number;
  /** The bench database (variant 2 reads its terms table). */
  readonly databaseUrl?: string;
  /**
   * The cache's command timeout, in ms (default: the library's). Only for
   * profiling under an instruction counter such as callgrind, where the
   * whole process runs tens of times slower than Redis answers.
   */
  readonly commandTimeoutMs?: number;
  /** The gzip figure's servers: the cache's `httpCompression` option. */
  readonly httpGzip?: boolean;
}

/** First line the server prints once it listens: this mark, then `{ port, pid }` as JSON. */
export const READY_MARK = 'BENCH_SERVER_READY ';

/** Handler call counters, served at `/__bench/counters`. */
export interface BenchCounters {
  readonly pid: number;
  /** Runs of the `/terms/:id` handler body (on a cache, misses only). */
  readonly termLoads: number;
  /** Runs of the `/slow/:id` loader. */
  readonly slowLoads: number;
}

/** The application name of variant 2's PostgreSQL connections (the runner reads their CPU). */
export function typeormApplicationName(adapter: Adapter): string {
  return `lexikon-bench-v2-${adapter}`;
}
