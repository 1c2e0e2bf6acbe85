import { CacheOptionsError } from '../errors/lexikon-cache.error.js';

/**
 * A `prom-client` `Registry`, as far as the cache uses it: structural, so
 * that the library's types never need `prom-client` installed.
 *
 * @example
 * import { Registry } from 'prom-client';
 * const registry: PrometheusRegistry = new Registry();
 */
export interface PrometheusRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
}

/**
 * Where the cache's Prometheus metrics go (`metrics` module option).
 *
 * @example
 * LexikonCacheModule.forRoot({ redis, metrics: { registry: myRegistry, prefix: 'shop_cache_' } })
 */
export interface CacheMetricsOptions {
  /** The registry to register on. Default: prom-client's default registry (`register`). */
  registry?: PrometheusRegistry;
  /** Prefix of every metric name. Default `'lexikon_cache_'`. */
  prefix?: string;
}

export const DEFAULT_METRICS_PREFIX = 'lexikon_cache_';

/** The `metrics` and `tracing` options, checked. */
export interface ResolvedObservability {
  readonly metrics:
    | {
        readonly registry: PrometheusRegistry | undefined;
        readonly prefix: string;
      }
    | undefined;
  readonly tracing: boolean;
}

/** Checks the `metrics` and `tracing` module options, naming the option at fault. */
export function resolveObservability(options: {
  metrics?: unknown;
  tracing?: unknown;
}): ResolvedObservability {
  const { metrics, tracing } = options;
  if (tracing !== undefined && typeof tracing !== 'boolean') {
    throw new CacheOptionsError(
      `tracing must be true or false, got ${JSON.stringify(tracing)}`,
    );
  }
  if (metrics === undefined || metrics === false) {
    return { metrics: undefined, tracing: tracing ?? false };
  }
  const o = (metrics === true ? {} : metrics) as CacheMetricsOptions;
  if (typeof o !== 'object' || o === null) {
    throw new CacheOptionsError(
      'metrics must be true, false or { registry, prefix }',
    );
  }
  const prefix = o.prefix ?? DEFAULT_METRICS_PREFIX;
  if (
    typeof prefix !== 'string' ||
    !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(prefix)
  ) {
    throw new CacheOptionsError(
      `metrics.prefix must start a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), got ${JSON.stringify(prefix)}`,
    );
  }
  const registry = o.registry;
  if (
    registry !== undefined &&
    (typeof registry !== 'object' ||
      registry === null ||
      typeof registry.registerMetric !== 'function' ||
      typeof registry.getSingleMetric !== 'function')
  ) {
    throw new CacheOptionsError(
      'metrics.registry must be a prom-client Registry',
    );
  }
  return { metrics: { registry, prefix }, tracing: tracing ?? false };
}
