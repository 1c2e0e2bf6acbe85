import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Cluster } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  CacheService,
  CrossSlotBatchError,
  LexikonCacheModule,
} from '@lexikon/cache';
import {
  RedisClusterProcess,
  stopAllRedisClusters,
} from '../../../test/support/redis-cluster.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

@Injectable()
class Catalog {
  readonly items = new Map<
    string,
    { id: string; group: string; name: string }
  >();
  loads = 0;

  @Cacheable({ key: 'item:{id}', tags: ['group:{result.group}'] })
  async find(id: string) {
    this.loads++;
    return this.items.get(id) ?? null;
  }

  @CacheInvalidate({ tags: ['group:{group}'] })
  async renameGroup(group: string, suffix: string): Promise<void> {
    for (const [id, item] of this.items) {
      if (item.group === group)
        this.items.set(id, { ...item, name: item.name + suffix });
    }
  }

  @CacheInvalidate('item:{id}')
  async rename(id: string, name: string): Promise<void> {
    const item = this.items.get(id);
    if (item) this.items.set(id, { ...item, name });
  }
}

describe('Redis Cluster', () => {
  let cluster: RedisClusterProcess;
  let module: TestingModule;
  let cache: CacheService;
  let catalog: Catalog;

  beforeAll(async () => {
    cluster = await RedisClusterProcess.start();
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { clusterNodes: cluster.nodes },
          keyPrefix: uniquePrefix('cluster'),
          interceptor: false,
        }),
      ],
      providers: [Catalog],
    }).compile();
    await module.init();
    cache = module.get(CacheService);
    catalog = module.get(Catalog);
  });

  afterAll(async () => {
    await module?.close();
    await stopAllRedisClusters();
  });

  it('stores, reads and deletes across slots', async () => {
    const entries = Array.from(
      { length: 50 },
      (_, i) => [`k:${i}`, { i }] as [string, { i: number }],
    );
    expect(await cache.mset(entries)).toBe(true);
    expect(await cache.mget(entries.map(([k]) => k))).toEqual(
      entries.map(([, v]) => v),
    );
    expect(await cache.get('k:7')).toEqual({ i: 7 });
    expect(await cache.delete(['k:1', 'k:2', 'k:3'])).toBe(3);
    expect(await cache.exists('k:2')).toBe(false);
    expect(await cache.increment('counter', 3)).toBe(3);
  });

  it('deletes by pattern on every master', async () => {
    await cache.mset(
      Array.from(
        { length: 300 },
        (_, i) => [`pat:${i}`, i] as [string, number],
      ),
    );
    await cache.set('other', 1);
    expect(await cache.deletePattern('pat:*')).toBe(300);
    expect(await cache.get('other')).toBe(1);
    expect(await cache.clear()).toBeGreaterThan(0);
    expect(await cache.get('other')).toBeUndefined();
  });

  it('shares one loader call among concurrent callers', async () => {
    let calls = 0;
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        cache.getOrSet('cold', async () => {
          calls++;
          await new Promise((r) => setTimeout(r, 30));
          return 'v';
        }),
      ),
    );
    expect(calls).toBe(1);
    expect(new Set(results)).toEqual(new Set(['v']));
  });

  it('invalidates by tag and by key, tag versions living in their own slot', async () => {
    catalog.items.set('a', { id: 'a', group: 'g1', name: 'A' });
    catalog.items.set('b', { id: 'b', group: 'g2', name: 'B' });
    await catalog.find('a');
    await catalog.find('b');
    await catalog.find('a');
    expect(catalog.loads).toBe(2);
    await catalog.renameGroup('g1', '!');
    expect((await catalog.find('a'))?.name).toBe('A!');
    expect((await catalog.find('b'))?.name).toBe('B');
    await catalog.rename('b', 'Bee');
    expect((await catalog.find('b'))?.name).toBe('Bee');
    expect(catalog.loads).toBe(4);
    await cache.set('tagged', 1, { tags: ['t1'] });
    expect(await cache.get('tagged')).toBe(1);
    await cache.invalidateTags(['t1']);
    expect(await cache.get('tagged')).toBeUndefined();
  });

  it('runs an atomic batch on one slot and refuses one across slots', async () => {
    const [a, b] = await cache.batch((batch) =>
      batch.set('{cart:1}:items', ['x']).increment('{cart:1}:total', 2),
    );
    expect(a).toEqual({ ok: true, value: true });
    expect(b).toEqual({ ok: true, value: 2 });
    await expect(
      cache.batch((batch) => batch.set('a1', 1).set('b2', 2)),
    ).rejects.toBeInstanceOf(CrossSlotBatchError);
  });

  it('reports the cluster in info()', async () => {
    const info = await cache.info();
    expect(info.mode).toBe('cluster');
    expect(info.clusterState).toBe('ok');
    const direct = new Cluster(cluster.nodes);
    try {
      expect(await direct.ping()).toBe('PONG');
    } finally {
      direct.disconnect();
    }
  });
});
