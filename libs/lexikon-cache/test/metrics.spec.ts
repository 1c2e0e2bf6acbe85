import { Test } from '@nestjs/testing';
import { Counter, register, Registry } from 'prom-client';
import {
  CacheOptionsError,
  LexikonCacheModule,
  type CacheService,
} from '@lexikon/cache';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import { CacheEngine } from '../src/core/engine/cache-engine.js';
import { testRedisUrl } from '../../../test/support/services.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import {
  createCacheFixture,
  type CacheFixture,
} from './support/cache-fixture.js';
import { sample, samples } from './support/prom-samples.js';

const REQUESTS = 'lexikon_cache_requests_total';
const LOADS = 'lexikon_cache_loads_total';

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A loader that counts its calls and answers after `ms`. */
function slowLoader(ms = 30) {
  const loader = async () => {
    loader.calls++;
    await delay(ms);
    return { n: loader.calls };
  };
  loader.calls = 0;
  return loader;
}

const requests = (
  registry: Registry,
  namespace: string,
  result: string,
  tier = 'redis',
) => sample(registry, REQUESTS, { namespace, tier, result });

describe('Prometheus metrics (Redis)', () => {
  const registry = new Registry();
  let f: CacheFixture;
  let cache: CacheService;

  beforeAll(async () => {
    f = await createCacheFixture('redis', 'metrics', {
      metrics: { registry },
      ttlJitter: 0,
    });
    cache = f.cache;
  });

  afterAll(() => f.close());

  it('counts one load, one miss and 49 hits when 50 callers read a cold key at once', async () => {
    const loader = slowLoader();
    const values = await Promise.all(
      Array.from({ length: 50 }, () => cache.getOrSet('report:1', loader)),
    );
    expect(values).toEqual(Array.from({ length: 50 }, () => ({ n: 1 })));
    expect(loader.calls).toBe(1);
    expect({
      loads: await sample(registry, LOADS, { namespace: 'report' }),
      timed: await sample(
        registry,
        'lexikon_cache_load_duration_seconds_count',
        {
          namespace: 'report',
        },
      ),
      miss: await requests(registry, 'report', 'miss'),
      hit: await requests(registry, 'report', 'hit'),
    }).toEqual({ loads: 1, timed: 1, miss: 1, hit: 49 });
    const stats = cache.stats().namespaces.report;
    expect(stats).toMatchObject({
      requests: 50,
      hits: 49,
      misses: 1,
      loads: 1,
      hitRate: 49 / 50,
      tiers: { redis: { hit: 49, miss: 1, stale: 0, bypass: 0, error: 0 } },
    });
    expect(stats?.loadSeconds).toBeGreaterThan(0);
  });

  it('counts a miss, then hits, for getOrSet and for get', async () => {
    const loader = slowLoader(1);
    await cache.getOrSet('user:1', loader);
    await cache.getOrSet('user:1', loader);
    await cache.getOrSet('user:1', loader);
    expect(await cache.get('user:2')).toBeUndefined();
    await cache.set('user:2', 'two');
    expect(await cache.get('user:2')).toBe('two');
    expect(await cache.mget(['user:1', 'user:3'])).toEqual([
      { n: 1 },
      undefined,
    ]);
    expect({
      miss: await requests(registry, 'user', 'miss'),
      hit: await requests(registry, 'user', 'hit'),
      loads: await sample(registry, LOADS, { namespace: 'user' }),
    }).toEqual({ miss: 3, hit: 4, loads: 1 });
    const legacy = (await cache.info()).stats;
    expect(legacy.hits).toBe(cache.stats().total.hits);
    expect(legacy.misses).toBe(cache.stats().total.misses);
  });

  it('counts invalidations by kind: keys, tags, patterns and clears', async () => {
    await cache.delete(['doc:1', 'doc:2']);
    await cache.invalidateTags(['team:7']);
    await cache.deletePattern('doc:*');
    await cache.clear();
    const kinds = Object.fromEntries(
      (await samples(registry, 'lexikon_cache_invalidations_total')).map(
        (s) => [s.labels.kind, s.value],
      ),
    );
    expect(kinds).toEqual({ key: 2, tag: 1, pattern: 1, clear: 1 });
    expect(cache.stats().invalidations).toEqual(kinds);
  });

  it('times store calls by operation', async () => {
    const before = await sample(
      registry,
      'lexikon_cache_store_duration_seconds_count',
      { op: 'fill' },
    );
    await cache.getOrSet('timed:1', async () => 1);
    const ops = await samples(
      registry,
      'lexikon_cache_store_duration_seconds_count',
    );
    const count = (op: string) =>
      ops.find((s) => s.labels.op === op)?.value ?? 0;
    expect(count('fill')).toBe(before + 1);
    expect(count('read')).toBeGreaterThan(0);
    expect(count('invalidate')).toBeGreaterThan(0);
  });

  it('reports the breaker closed and no in-process tier', async () => {
    expect(await sample(registry, 'lexikon_cache_breaker_open')).toBe(0);
    expect(await sample(registry, 'lexikon_cache_l1_entries')).toBe(0);
    expect(cache.stats()).toMatchObject({ breakerOpen: false, l1: undefined });
  });

  it('shares its metrics with another cache on the same registry', async () => {
    const other = await createCacheFixture('redis', 'metrics-other', {
      metrics: { registry },
    });
    try {
      await other.cache.getOrSet('shared:1', async () => 1);
      await f.cache.getOrSet('shared:1', async () => 1);
      expect(await sample(registry, LOADS, { namespace: 'shared' })).toBe(2);
    } finally {
      await other.close();
    }
  });
});

describe('Prometheus metrics: bounds and options', () => {
  afterAll(() => closeAllFaultProxies());

  it('labels the first 100 namespaces by name and the rest as other', async () => {
    const registry = new Registry();
    const f = await createCacheFixture('memory', 'metrics-cap', {
      metrics: { registry },
    });
    try {
      for (let i = 0; i < 105; i++) await f.cache.get(`ns${i}:x`);
      const names = new Set(
        (await samples(registry, REQUESTS)).map((s) => s.labels.namespace),
      );
      expect(names.size).toBe(101);
      expect(names.has('ns99')).toBe(true);
      expect(names.has('ns100')).toBe(false);
      expect(
        await sample(registry, REQUESTS, {
          namespace: 'other',
          tier: 'memory',
          result: 'miss',
        }),
      ).toBe(5);
    } finally {
      await f.close();
    }
  });

  it('counts errors, then bypasses, and shows the breaker open while Redis is unreachable', async () => {
    const registry = new Registry();
    const target = new URL(testRedisUrl());
    const proxy = await FaultProxy.start({
      host: target.hostname,
      port: Number(target.port || 6379),
    });
    const f = await createCacheFixture('redis', 'metrics-breaker', {
      redis: { url: proxy.url() },
      metrics: { registry },
      commandTimeout: 100,
      breakerThreshold: 2,
      breakerCooldown: 1000,
    });
    try {
      await f.cache.getOrSet('down:1', async () => 1);
      await proxy.setMode('stall');
      for (let i = 0; i < 4; i++)
        await f.cache.getOrSet('down:1', async () => 1);
      expect(await sample(registry, 'lexikon_cache_breaker_open')).toBe(1);
      expect(f.cache.stats()).toMatchObject({
        breakerOpen: true,
        breakerOpenings: 1,
      });
      const result = (r: string) => requests(registry, 'down', r);
      expect({
        error: await result('error'),
        bypass: await result('bypass'),
      }).toEqual({
        error: 2,
        bypass: 2,
      });
      await proxy.setMode('pass');
      for (let i = 0; i < 100 && f.cache.stats().breakerOpen; i++) {
        await delay(50);
        await f.cache.get('down:probe');
      }
      expect(await sample(registry, 'lexikon_cache_breaker_open')).toBe(0);
    } finally {
      await proxy.setMode('pass');
      await f.close();
    }
  });

  it('counts hits of the in-process tier as tier l1 and reports its size', async () => {
    const registry = new Registry();
    const f = await createCacheFixture('redis', 'metrics-l1', {
      metrics: { registry },
      l1: { lease: '600ms', maxLag: '200ms' },
    });
    try {
      const engine = f.module.get(CacheEngine);
      for (let i = 0; i < 400 && !engine.tier?.serving; i++) await delay(5);
      await f.cache.getOrSet('kept:1', async () => 'one');
      await f.cache.getOrSet('kept:1', async () => 'one');
      expect({
        l1: await requests(registry, 'kept', 'hit', 'l1'),
        redis: await requests(registry, 'kept', 'miss'),
        entries: await sample(registry, 'lexikon_cache_l1_entries'),
      }).toEqual({ l1: 1, redis: 1, entries: 1 });
      expect(await sample(registry, 'lexikon_cache_l1_bytes')).toBeGreaterThan(
        0,
      );
      expect(f.cache.stats().l1).toEqual({
        entries: 1,
        bytes: await sample(registry, 'lexikon_cache_l1_bytes'),
      });
    } finally {
      await f.close();
    }
    // a closed cache is no longer read on scrape
    expect(await sample(registry, 'lexikon_cache_l1_entries')).toBe(0);
  });

  it('names its metrics with metrics.prefix', async () => {
    const registry = new Registry();
    const f = await createCacheFixture('memory', 'metrics-prefix', {
      metrics: { registry, prefix: 'shop_cache_' },
    });
    try {
      await f.cache.getOrSet('price:1', async () => 1);
      expect(
        await sample(registry, 'shop_cache_loads_total', {
          namespace: 'price',
        }),
      ).toBe(1);
      expect(registry.getSingleMetric(LOADS)).toBeUndefined();
    } finally {
      await f.close();
    }
  });

  it('refuses, at start-up, a registry with one of its names from elsewhere', async () => {
    const registry = new Registry();
    new Counter({ name: REQUESTS, help: 'not ours', registers: [registry] });
    await expect(
      createCacheFixture('memory', 'metrics-taken', { metrics: { registry } }),
    ).rejects.toMatchObject({
      name: 'CacheOptionsError',
      message: expect.stringContaining(REQUESTS) as string,
    });
  });

  it.each([
    [{ metrics: 'yes' }, /^metrics must be/],
    [{ metrics: { prefix: 'bad-prefix' } }, /^metrics\.prefix must/],
    [{ metrics: { registry: {} } }, /^metrics\.registry must/],
    [{ tracing: 'on' }, /^tracing must be/],
  ])('refuses bad options at start-up: %j', async (options, message) => {
    const start = Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          store: 'memory',
          keyPrefix: uniquePrefix('metrics-options'),
          ...(options as object),
        }),
      ],
    })
      .compile()
      .then((m) => m.init());
    await expect(start).rejects.toBeInstanceOf(CacheOptionsError);
    await expect(start).rejects.toThrow(message);
  });

  it('keeps counting in process without metrics, and registers nothing', async () => {
    const f = await createCacheFixture('memory', 'metrics-off');
    try {
      await f.cache.getOrSet('plain:1', async () => 1);
      await f.cache.getOrSet('plain:1', async () => 1);
      expect(f.cache.stats().namespaces.plain).toMatchObject({
        requests: 2,
        hits: 1,
        misses: 1,
        tiers: { memory: { hit: 1, miss: 1 } },
      });
      expect(register.getSingleMetric(REQUESTS)).toBeUndefined();
    } finally {
      await f.close();
    }
  });
});
