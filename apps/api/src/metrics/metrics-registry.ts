import type { Provider } from '@nestjs/common';
import { collectDefaultMetrics, register, type Registry } from 'prom-client';

/**
 * The registry `GET /metrics` serves: prom-client's default registry, so that
 * metrics other code registers there (the cache library's `lexikon_cache_*`)
 * are scraped with the app's own.
 *
 * @example
 * constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}
 */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** One of the metrics `collectDefaultMetrics()` registers. */
const DEFAULT_METRIC = 'process_cpu_user_seconds_total';

/**
 * Registers the default Node process metrics once per registry. They describe
 * the process, not an app instance, and the registry outlives the app: a
 * second app in the same process (tests) would otherwise fail on the
 * duplicate names.
 */
export function collectDefaultMetricsOnce(registry: Registry): void {
  if (registry.getSingleMetric(DEFAULT_METRIC) !== undefined) return;
  collectDefaultMetrics({ register: registry });
}

export const metricsRegistryProvider: Provider = {
  provide: METRICS_REGISTRY,
  useFactory: (): Registry => {
    collectDefaultMetricsOnce(register);
    return register;
  },
};
