import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import type { CacheLogger } from '../src/core/logger.js';
import { loadTracer } from '../src/tracing/load-tracer.js';
import {
  createCacheFixture,
  type CacheFixture,
} from './support/cache-fixture.js';

/*
 * Spans through @opentelemetry/api, recorded by the SDK's in-memory
 * exporter, with the cache on real Redis.
 */
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new SimpleSpanProcessor(exporter)],
});
const contextManager = new AsyncLocalStorageContextManager();
const appTracer = trace.getTracer('the-app');

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
});

afterAll(async () => {
  trace.disable();
  context.disable();
  await provider.shutdown();
});

beforeEach(() => exporter.reset());

function spans(name?: string): ReadableSpan[] {
  return exporter
    .getFinishedSpans()
    .filter((s) => name === undefined || s.name === name);
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** Runs `fn` under a span of the application's, as a request handler would. */
async function inRequest<T>(
  fn: () => Promise<T>,
): Promise<{ value: T; id: string }> {
  const span = appTracer.startSpan('GET /terms/:id');
  try {
    const value = await context.with(trace.setSpan(context.active(), span), fn);
    return { value, id: span.spanContext().spanId };
  } finally {
    span.end();
  }
}

describe('tracing (Redis)', () => {
  let f: CacheFixture;

  beforeAll(async () => {
    f = await createCacheFixture('redis', 'tracing', { tracing: true });
  });

  afterAll(() => f.close());

  it('gives a miss a cache span under the request, with the loader as its child and the loader’s own spans under that', async () => {
    const { value, id } = await inRequest(() =>
      f.cache.getOrSet('term:1', async () => {
        appTracer.startSpan('SELECT term').end();
        return 'one';
      }),
    );
    expect(value).toBe('one');
    const [read] = spans('cache.read');
    const [load] = spans('cache.load');
    const [query] = spans('SELECT term');
    expect(spans('cache.read')).toHaveLength(1);
    expect(read.attributes).toEqual({
      'cache.namespace': 'term',
      'cache.tier': 'redis',
      'cache.result': 'miss',
    });
    expect(parentOf(read)).toBe(id);
    expect(parentOf(load)).toBe(read.spanContext().spanId);
    expect(load.attributes).toEqual({ 'cache.namespace': 'term' });
    expect(parentOf(query)).toBe(load.spanContext().spanId);
  });

  it('gives a hit a span with result=hit and no loader span', async () => {
    await f.cache.getOrSet('term:2', async () => 'two');
    exporter.reset();
    const { id } = await inRequest(() =>
      f.cache.getOrSet('term:2', async () => 'never'),
    );
    expect(spans().map((s) => s.name)).toEqual([
      'cache.read',
      'GET /terms/:id',
    ]);
    const [read] = spans('cache.read');
    expect(read.attributes).toMatchObject({
      'cache.tier': 'redis',
      'cache.result': 'hit',
    });
    expect(parentOf(read)).toBe(id);
  });

  it('marks the spans of a failing loader as errors', async () => {
    await expect(
      f.cache.getOrSet('term:3', async () => {
        throw new Error('database down');
      }),
    ).rejects.toThrow('database down');
    for (const span of [...spans('cache.read'), ...spans('cache.load')]) {
      expect(span.status).toEqual({
        code: SpanStatusCode.ERROR,
        message: 'database down',
      });
    }
    expect(spans('cache.load')).toHaveLength(1);
  });

  it('gives an invalidation a span naming what it invalidates', async () => {
    await f.cache.invalidateTags(['project:7', 'project:8']);
    await f.cache.delete('term:1');
    expect(spans('cache.invalidate').map((s) => s.attributes)).toEqual([
      { 'cache.invalidation.kinds': ['tag'], 'cache.invalidation.tag': 2 },
      { 'cache.invalidation.kinds': ['key'], 'cache.invalidation.key': 1 },
    ]);
  });
});

describe('tracing off', () => {
  it('makes no span at all', async () => {
    const f = await createCacheFixture('redis', 'tracing-off');
    try {
      await f.cache.getOrSet('term:1', async () => 1);
      await f.cache.getOrSet('term:1', async () => 1);
      await f.cache.delete('term:1');
      expect(spans()).toEqual([]);
    } finally {
      await f.close();
    }
  });

  it('is what tracing: true gives without @opentelemetry/api, with a warning', async () => {
    const warnings: string[] = [];
    const logger: CacheLogger = {
      log: () => undefined,
      debug: () => undefined,
      error: () => undefined,
      warn: (m) => warnings.push(m),
    };
    const missing = Object.assign(
      new Error("Cannot find package '@opentelemetry/api' imported from x"),
      { code: 'ERR_MODULE_NOT_FOUND' },
    );
    await expect(
      loadTracer(logger, () => Promise.reject(missing)),
    ).resolves.toBeUndefined();
    expect(warnings).toEqual([
      expect.stringContaining('@opentelemetry/api is not installed'),
    ]);
    // any other failure is not hidden
    await expect(
      loadTracer(logger, () => Promise.reject(new Error('broken'))),
    ).rejects.toThrow('broken');
  });
});
