import type { Counter, Gauge, Histogram, Metric, Registry } from 'prom-client';
import { CacheOptionsError } from '../core/errors/lexikon-cache.error.js';
import {
  CACHE_RESULTS,
  CACHE_TIERS,
  requestSlot,
  type CacheRequestResult,
  type CacheTierLabel,
} from '../core/metrics/cache-metrics.js';
import type { PromClient } from './prom-client-loader.js';

/** What one cache instance reports on scrape. */
export interface ScrapedSource {
  readonly breakerOpen: boolean;
  l1Size(): { readonly entries: number; readonly bytes: number } | undefined;
}

/** A request counter's child, with the counts not yet added to it. */
interface RequestCell {
  readonly child: { inc(value?: number): void };
  pending: number;
}

const LOAD_BUCKETS = [
  0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
const STORE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
  0.5, 1,
];
/** Bound on namespaces across every cache on one registry (each caps its own at 100). */
const MAX_FAMILY_NAMESPACES = 1000;

/**
 * The cache's metrics on one registry (under one name prefix), shared by
 * every cache instance of the process that reports there. Request counts
 * are kept as plain numbers in cells, one per (namespace, tier, result),
 * each holding its pre-created label child, and are added to the children
 * when the registry is collected: a request costs a map lookup and an
 * increment. Gauges are read from the live instances on scrape.
 */
export class MetricFamilies {
  readonly sources = new Set<ScrapedSource>();
  private readonly cells = new Map<string, RequestCell[]>();
  private readonly loadChildren = new Map<
    string,
    { loads: { inc(): void }; seconds: { observe(v: number): void } }
  >();
  private readonly storeChildren = new Map<
    string,
    { observe(v: number): void }
  >();
  private readonly requests: Counter<'namespace' | 'tier' | 'result'>;
  private readonly loads: Counter<'namespace'>;
  private readonly loadSeconds: Histogram<'namespace'>;
  private readonly storeSeconds: Histogram<'op'>;
  readonly invalidations: Counter<'kind'>;

  constructor(prom: PromClient, registry: Registry, prefix: string) {
    const registers = [registry];
    const flush = () => this.flush();
    this.requests = new prom.Counter({
      name: `${prefix}requests_total`,
      help: 'Cache requests, each counted once, by key namespace, the tier that answered (l1, redis, memory) and result (hit: without its own loader call, miss, stale, bypass, error)',
      labelNames: ['namespace', 'tier', 'result'],
      registers,
      collect: flush,
    });
    this.loads = new prom.Counter({
      name: `${prefix}loads_total`,
      help: 'Loader calls, by key namespace: one per cold key, however many requests waited for it',
      labelNames: ['namespace'],
      registers,
    });
    this.loadSeconds = new prom.Histogram({
      name: `${prefix}load_duration_seconds`,
      help: 'How long loader calls ran, by key namespace',
      labelNames: ['namespace'],
      buckets: LOAD_BUCKETS,
      registers,
    });
    this.storeSeconds = new prom.Histogram({
      name: `${prefix}store_duration_seconds`,
      help: 'How long store calls (Redis or the memory store) took, by operation',
      labelNames: ['op'],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.invalidations = new prom.Counter({
      name: `${prefix}invalidations_total`,
      help: 'Keys, tags and patterns invalidated (1 for a clear), by kind',
      labelNames: ['kind'],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number): Gauge =>
      new prom.Gauge({
        name: `${prefix}${name}`,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge(
      'breaker_open',
      '1 while the circuit breaker keeps calls from the store',
      () => ([...this.sources].some((s) => s.breakerOpen) ? 1 : 0),
    );
    gauge('l1_entries', 'Entries in the in-process tier', () =>
      this.l1Sum('entries'),
    );
    gauge(
      'l1_bytes',
      'Bytes held by the in-process tier (UTF-16, roughly)',
      () => this.l1Sum('bytes'),
    );
  }

  private l1Sum(what: 'entries' | 'bytes'): number {
    let sum = 0;
    for (const s of this.sources) sum += s.l1Size()?.[what] ?? 0;
    return sum;
  }

  request(
    namespace: string,
    tier: CacheTierLabel,
    result: CacheRequestResult,
  ): void {
    let row = this.cells.get(namespace);
    if (row === undefined) row = this.row(namespace);
    const i = requestSlot(tier, result);
    let cell = row[i];
    if (cell === undefined) {
      cell = {
        child: this.requests.labels(namespace, tier, result),
        pending: 0,
      };
      row[i] = cell;
    }
    cell.pending++;
  }

  private row(namespace: string): RequestCell[] {
    const name =
      this.cells.size < MAX_FAMILY_NAMESPACES || this.cells.has(namespace)
        ? namespace
        : 'other';
    let row = this.cells.get(name);
    if (row === undefined) {
      row = Array.from<RequestCell>({
        length: CACHE_TIERS.length * CACHE_RESULTS.length,
      });
      this.cells.set(name, row);
    }
    return row;
  }

  /** Adds the pending counts to the counter's children (on collect). */
  flush(): void {
    for (const row of this.cells.values()) {
      for (const cell of row) {
        if (cell === undefined || cell.pending === 0) continue;
        cell.child.inc(cell.pending);
        cell.pending = 0;
      }
    }
  }

  load(namespace: string, seconds: number): void {
    let c = this.loadChildren.get(namespace);
    if (c === undefined) {
      c = {
        loads: this.loads.labels(namespace),
        seconds: this.loadSeconds.labels(namespace),
      };
      if (this.loadChildren.size < MAX_FAMILY_NAMESPACES)
        this.loadChildren.set(namespace, c);
    }
    c.loads.inc();
    c.seconds.observe(seconds);
  }

  storeCall(op: string, seconds: number): void {
    let child = this.storeChildren.get(op);
    if (child === undefined) {
      child = this.storeSeconds.labels(op);
      this.storeChildren.set(op, child);
    }
    child.observe(seconds);
  }
}

const byRegistry = new WeakMap<object, Map<string, MetricFamilies>>();

/**
 * The families on `registry` under `prefix`: created and registered the
 * first time, shared afterwards. A registry that already has one of the
 * names from elsewhere is refused at start-up.
 */
export function metricFamilies(
  prom: PromClient,
  registry: Registry,
  prefix: string,
): MetricFamilies {
  let byPrefix = byRegistry.get(registry);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    byRegistry.set(registry, byPrefix);
  }
  const known = byPrefix.get(prefix);
  if (known) return known;
  const taken = ['requests_total', 'loads_total', 'breaker_open']
    .map((n) => `${prefix}${n}`)
    .find((name) => registry.getSingleMetric(name) as Metric | undefined);
  if (taken) {
    throw new CacheOptionsError(
      `metrics: the registry already has a metric named ${taken} that this cache did not register (another copy of @lexikon/cache?); give this cache its own metrics.prefix or registry`,
    );
  }
  const families = new MetricFamilies(prom, registry, prefix);
  byPrefix.set(prefix, families);
  return families;
}
