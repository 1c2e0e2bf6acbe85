import type { Registry } from 'prom-client';
import type {
  CacheMetrics,
  CacheRequestResult,
  CacheTierLabel,
  InvalidationKind,
} from '../core/metrics/cache-metrics.js';
import type { ResolvedObservability } from '../core/metrics/observability-options.js';
import {
  metricFamilies,
  type MetricFamilies,
  type ScrapedSource,
} from './metric-families.js';
import { loadPromClient } from './prom-client-loader.js';

/**
 * One cache instance's recorder onto the shared Prometheus families: what
 * it records goes to them; its breaker state and in-process tier are read
 * on scrape until it is closed.
 */
export class PrometheusCacheMetrics implements CacheMetrics, ScrapedSource {
  breakerOpen = false;
  private l1: () => { entries: number; bytes: number } | undefined = () =>
    undefined;

  constructor(private readonly families: MetricFamilies) {
    families.sources.add(this);
  }

  request(
    namespace: string,
    tier: CacheTierLabel,
    result: CacheRequestResult,
  ): void {
    this.families.request(namespace, tier, result);
  }

  load(namespace: string, seconds: number): void {
    this.families.load(namespace, seconds);
  }

  storeCall(op: string, seconds: number): void {
    this.families.storeCall(op, seconds);
  }

  invalidation(kind: InvalidationKind, n: number): void {
    this.families.invalidations.inc({ kind }, n);
  }

  breaker(open: boolean): void {
    this.breakerOpen = open;
  }

  /** Where the in-process tier's size is read on scrape. */
  watchL1(size: () => { entries: number; bytes: number } | undefined): void {
    this.l1 = size;
  }

  l1Size(): { entries: number; bytes: number } | undefined {
    return this.l1();
  }

  /** Stops reporting this instance's gauges (its counts stay). */
  close(): void {
    this.families.sources.delete(this);
  }
}

/** The recorder for `metrics` options, with prom-client loaded (start-up fails if it is not installed). */
export async function createPrometheusMetrics(
  options: NonNullable<ResolvedObservability['metrics']>,
): Promise<PrometheusCacheMetrics> {
  const prom = await loadPromClient();
  const registry = (options.registry ?? prom.register) as Registry;
  return new PrometheusCacheMetrics(
    metricFamilies(prom, registry, options.prefix),
  );
}
