import type { Adapter, ServedVariantId } from '../variants/registry.js';

/** What the runner tells a bench server process (as JSON in argv[2]). */
export interface BenchServerConfig {
  readonly variant: ServedVariantId;
  readonly adapter: Adapter;
  readonly redisUrl: string;
  /** Terms the server knows (ids from data/terms.ts). */
  readonly termCount: number;
  /** Loader time of the `/slow/:id` route, in ms. */
  readonly slowMs: number;
  /** Cache TTL, in seconds: longer than the whole run. */
  readonly ttlSeconds: number;
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
