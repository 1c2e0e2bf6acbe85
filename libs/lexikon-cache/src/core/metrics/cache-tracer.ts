import type {
  CacheRequestResult,
  CacheTierLabel,
  InvalidationKind,
} from './cache-metrics.js';

/** How many keys, tags and patterns one invalidation names (`clear: 1` for everything). */
export type InvalidationCounts = Readonly<
  Partial<Record<InvalidationKind, number>>
>;

/** The span of one cache operation, as the engine sees it. */
export interface CacheSpan {
  /** The tier and result that answered the request. */
  answered(tier: CacheTierLabel, result: CacheRequestResult): void;
  /** Ends the span; with an error, as failed. */
  end(error?: unknown): void;
}

/**
 * Spans of cache operations (OpenTelemetry's, outside the core). Called only
 * when tracing is on: with it off, the engine holds no tracer at all.
 */
export interface CacheTracer {
  /** Starts the span of one read-through call, under the caller's active span. */
  read(namespace: string): CacheSpan;
  /** Runs a loader in a child span of `parent`, the active span while it runs. */
  load<T>(
    parent: CacheSpan | undefined,
    namespace: string,
    loader: () => Promise<T>,
  ): Promise<T>;
  /** Starts the span of one invalidation. */
  invalidation(counts: InvalidationCounts): CacheSpan;
}
