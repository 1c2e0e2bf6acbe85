import type { CacheLogger } from '../core/logger.js';
import type { CacheObservers } from '../core/metrics/cache-recorder.js';
import { resolveObservability } from '../core/metrics/observability-options.js';
import type { LexikonCacheModuleOptions } from '../core/options/cache-options.js';
import {
  createPrometheusMetrics,
  type PrometheusCacheMetrics,
} from '../metrics/prometheus-metrics.js';
import { loadTracer } from '../tracing/load-tracer.js';

/** DI token of the module's metrics recorder and tracer (internal). */
export const CACHE_OBSERVERS = Symbol('lexikon-cache:observers');

export interface LoadedObservers extends CacheObservers {
  readonly metrics?: PrometheusCacheMetrics;
}

/**
 * The `metrics` and `tracing` options made real: `prom-client` and
 * `@opentelemetry/api` are imported here, and only when asked for, so that
 * an application without them pays nothing.
 */
export async function loadObservers(
  options: LexikonCacheModuleOptions,
  logger: CacheLogger,
): Promise<LoadedObservers> {
  const resolved = resolveObservability(options);
  const metrics = resolved.metrics
    ? await createPrometheusMetrics(resolved.metrics)
    : undefined;
  const tracer = resolved.tracing ? await loadTracer(logger) : undefined;
  return { metrics, tracer };
}
