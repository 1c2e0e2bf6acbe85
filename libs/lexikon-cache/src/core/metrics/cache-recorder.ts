import type { CacheStats } from '../engine/cache-stats.js';
import {
  NO_METRICS,
  type CacheMetrics,
  type CacheRequestResult,
  type CacheTierLabel,
  type InvalidationKind,
} from './cache-metrics.js';
import type {
  CacheSpan,
  CacheTracer,
  InvalidationCounts,
} from './cache-tracer.js';
import { NamespaceLabels } from './namespace-labels.js';
import { NamespaceStats, type NamespaceSlot } from './namespace-stats.js';

export type { CacheSpan } from './cache-tracer.js';

/** A read-through call as the recorder sees it: its key, and its span when tracing. */
export interface ObservedRead {
  readonly key: string;
  span: CacheSpan | undefined;
}

/** What the cache reports to besides its in-process statistics. */
export interface CacheObservers {
  /** Another recorder (the Prometheus adapter); store calls are timed only for it, and only on Redis. */
  readonly metrics?: CacheMetrics;
  /** Spans of cache operations. */
  readonly tracer?: CacheTracer;
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/**
 * What the engine's parts call to record: by full key, which it turns into
 * a bounded namespace label once, then passes on to the in-process
 * statistics (and the flat counters of `info()`), to the other recorder if
 * any, and to the call's span when tracing. No clock is read on a hit.
 */
export class CacheRecorder {
  readonly stats = new NamespaceStats();
  private readonly namespaces: NamespaceLabels<NamespaceSlot>;
  private readonly sink: CacheMetrics;
  private readonly tracer: CacheTracer | undefined;
  private readonly timing: boolean;
  private readonly storeTier: CacheTierLabel;

  constructor(
    prefix: string,
    storeKind: 'redis' | 'memory',
    private readonly legacy: CacheStats,
    observers: CacheObservers = {},
  ) {
    this.namespaces = new NamespaceLabels(prefix, (label) =>
      this.stats.slot(label),
    );
    this.storeTier = storeKind;
    this.sink = observers.metrics ?? NO_METRICS;
    // the memory store answers in process: nothing worth timing
    this.timing = observers.metrics !== undefined && storeKind !== 'memory';
    this.tracer = observers.tracer;
  }

  /** The span of a read-through call of `key`, or undefined when not tracing. */
  span(key: string): CacheSpan | undefined {
    return this.tracer?.read(this.namespaces.of(key).label);
  }

  /** `done`, ending the call's span when it settles (`done` itself when there is none). */
  ended<T>(c: ObservedRead, done: Promise<T>): Promise<T> {
    const span = c.span;
    if (span === undefined) return done;
    return done.then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        span.end(err);
        throw err;
      },
    );
  }

  /** Counts a read-through request once, by what answered it (default tier: the store's). */
  request(
    c: ObservedRead,
    result: CacheRequestResult,
    tier: CacheTierLabel = this.storeTier,
  ): void {
    this.count(this.namespaces.of(c.key), tier, result);
    if (c.span) c.span.answered(tier, result);
  }

  /** `request(c, 'hit', tier)`, then `value`. */
  hit<T>(c: ObservedRead, value: T, tier?: CacheTierLabel): T {
    this.request(c, 'hit', tier);
    return value;
  }

  /** A request outside read-through (a peek, `get`, `mget`): counted, and a span of its own when tracing. */
  requestNow(
    key: string,
    result: CacheRequestResult,
    tier: CacheTierLabel = this.storeTier,
    traced = true,
  ): void {
    const slot = this.namespaces.of(key);
    this.count(slot, tier, result);
    if (this.tracer === undefined || !traced) return;
    const span = this.tracer.read(slot.label);
    span.answered(tier, result);
    span.end();
  }

  private count(
    slot: NamespaceSlot,
    tier: CacheTierLabel,
    result: CacheRequestResult,
  ): void {
    this.stats.requestAt(slot, tier, result);
    this.sink.request(slot.label, tier, result);
    if (result === 'hit') this.legacy.hits++;
    else if (result === 'miss') this.legacy.misses++;
    else if (result !== 'stale') this.legacy.bypasses++;
  }

  /** Runs a call's loader: counted and timed, in a child span when tracing. */
  load<T>(c: ObservedRead, loader: () => Promise<T>): Promise<T> {
    const namespace = this.namespaces.of(c.key).label;
    const started = performance.now();
    const done = (): void => {
      const s = seconds(started);
      this.legacy.loads++;
      this.stats.load(namespace, s);
      this.sink.load(namespace, s);
    };
    const run = this.tracer
      ? this.tracer.load(c.span, namespace, loader)
      : loader();
    run.then(done, done);
    return run;
  }

  /** `call`, timed as a store call when another recorder wants it (otherwise `call` untouched). */
  time<T>(op: string, call: Promise<T>): Promise<T> {
    if (!this.timing) return call;
    const started = performance.now();
    const done = (): void => this.sink.storeCall(op, seconds(started));
    call.then(done, done);
    return call;
  }

  breaker(open: boolean): void {
    this.stats.breaker(open);
    this.sink.breaker(open);
  }

  /** Counts an invalidation by what it names and runs it, in a span when tracing. */
  invalidating<R>(
    counts: InvalidationCounts,
    run: () => Promise<R>,
  ): Promise<R> {
    for (const kind of Object.keys(counts) as InvalidationKind[]) {
      const n = counts[kind] ?? 0;
      if (n <= 0) continue;
      this.stats.invalidation(kind, n);
      this.sink.invalidation(kind, n);
    }
    const span = this.tracer?.invalidation(counts);
    if (span === undefined) return run();
    let done: Promise<R>;
    try {
      done = run();
    } catch (err) {
      span.end(err);
      throw err;
    }
    return this.ended({ key: '', span }, done);
  }
}
