import type { Context, Span, Tracer } from '@opentelemetry/api';
import type {
  CacheRequestResult,
  CacheTierLabel,
} from '../core/metrics/cache-metrics.js';
import type {
  CacheSpan,
  CacheTracer,
  InvalidationCounts,
} from '../core/metrics/cache-tracer.js';

/** The `@opentelemetry/api` module, as the tracer uses it. */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

/** The instrumentation scope of the cache's spans. */
export const TRACER_NAME = '@lexikon/cache';

class OtelSpan implements CacheSpan {
  constructor(
    readonly span: Span,
    private readonly api: OpenTelemetryApi,
  ) {}

  answered(tier: CacheTierLabel, result: CacheRequestResult): void {
    this.span.setAttribute('cache.tier', tier);
    this.span.setAttribute('cache.result', result);
  }

  end(error?: unknown): void {
    if (error !== undefined) failed(this.api, this.span, error);
    this.span.end();
  }
}

function failed(api: OpenTelemetryApi, span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: api.SpanStatusCode.ERROR, message: err.message });
}

/**
 * Spans through `@opentelemetry/api`: `cache.read` for a read-through call
 * (attributes `cache.namespace`, `cache.tier`, `cache.result`), under the
 * caller's active span; `cache.load` for its loader, a child of it and the
 * active span while the loader runs (so the loader's own spans, a database
 * query's, nest under it); `cache.invalidate` for an invalidation. With no
 * OpenTelemetry SDK registered, the API's spans record nothing.
 */
export class OtelCacheTracer implements CacheTracer {
  private readonly tracer: Tracer;

  constructor(private readonly api: OpenTelemetryApi) {
    this.tracer = api.trace.getTracer(TRACER_NAME);
  }

  read(namespace: string): CacheSpan {
    return new OtelSpan(
      this.tracer.startSpan('cache.read', {
        attributes: { 'cache.namespace': namespace },
      }),
      this.api,
    );
  }

  load<T>(
    parent: CacheSpan | undefined,
    namespace: string,
    loader: () => Promise<T>,
  ): Promise<T> {
    const { context, trace } = this.api;
    const base: Context =
      parent instanceof OtelSpan
        ? trace.setSpan(context.active(), parent.span)
        : context.active();
    const span = this.tracer.startSpan(
      'cache.load',
      { attributes: { 'cache.namespace': namespace } },
      base,
    );
    let run: Promise<T>;
    try {
      run = context.with(trace.setSpan(base, span), loader);
    } catch (err) {
      failed(this.api, span, err);
      span.end();
      throw err;
    }
    return run.then(
      (value) => {
        span.end();
        return value;
      },
      (err: unknown) => {
        failed(this.api, span, err);
        span.end();
        throw err;
      },
    );
  }

  invalidation(counts: InvalidationCounts): CacheSpan {
    const kinds = Object.entries(counts)
      .filter(([, n]) => (n ?? 0) > 0)
      .map(([kind]) => kind);
    const attributes: Record<string, string | number | string[]> = {
      'cache.invalidation.kinds': kinds,
    };
    for (const kind of kinds)
      attributes[`cache.invalidation.${kind}`] =
        counts[kind as keyof InvalidationCounts] ?? 0;
    return new OtelSpan(
      this.tracer.startSpan('cache.invalidate', { attributes }),
      this.api,
    );
  }
}
