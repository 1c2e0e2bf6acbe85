import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Cacheable,
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import type { CacheStore } from '../src/core/store/cache-store.js';
import { CACHE_STORE } from '../src/core/store/store-token.js';
import {
  RedisClusterProcess,
  stopAllRedisClusters,
} from '../../../test/support/redis-cluster.js';
import { testRedisUrl } from '../../../test/support/services.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { ReadLatch } from './support/read-latch.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let latch: ReadLatch;

/** A source whose first load holds until the second caller has read the store. */
@Injectable()
class Reports {
  loads = 0;

  private async load(): Promise<number> {
    const n = ++this.loads;
    if (n === 1) await latch.reads(2);
    return n;
  }

  @Cacheable({ key: 'full:{0}' })
  async full(id: string) {
    return { id, n: await this.load() };
  }

  @Cacheable<{ partial: boolean }>({
    key: 'partial:{0}',
    unless: (r) => r.partial,
  })
  async partial(id: string) {
    return { id, partial: true, n: await this.load() };
  }

  @Cacheable({ key: 'none:{0}', cacheNullish: false })
  async none(_id: string): Promise<null> {
    await this.load();
    return null;
  }
}

type StoreKind = 'memory' | 'redis' | 'cluster';

describe.each<StoreKind>(['memory', 'redis', 'cluster'])(
  'concurrent calls of a cold cached method with the %s store',
  (kind) => {
    let cluster: RedisClusterProcess | undefined;
    let module: TestingModule;
    let reports: Reports;
    let cache: CacheService;

    beforeAll(async () => {
      let connection: LexikonCacheModuleOptions;
      if (kind === 'cluster') {
        cluster = await RedisClusterProcess.start();
        connection = { redis: { clusterNodes: cluster.nodes } };
      } else {
        connection =
          kind === 'redis'
            ? { redis: { url: testRedisUrl() } }
            : { store: 'memory' };
      }
      module = await Test.createTestingModule({
        imports: [
          LexikonCacheModule.forRoot({
            ...connection,
            keyPrefix: uniquePrefix(`service-flight-${kind}`),
            interceptor: false,
          }),
        ],
        providers: [Reports],
      }).compile();
      await module.init();
      reports = module.get(Reports);
      cache = module.get(CacheService);
      latch = new ReadLatch(module.get<CacheStore>(CACHE_STORE));
    }, 60_000);

    afterAll(async () => {
      latch?.restore();
      await cache?.clear();
      await module?.close();
      await stopAllRedisClusters();
    });

    beforeEach(() => {
      reports.loads = 0;
      latch.reset();
    });

    it('share one load when its value is stored', async () => {
      const [a, b] = await Promise.all([
        reports.full('f1'),
        reports.full('f1'),
      ]);
      expect(reports.loads).toBe(1);
      expect(a).toEqual({ id: 'f1', n: 1 });
      expect(b).toEqual({ id: 'f1', n: 1 });
    });

    it('each load for themselves when unless rejects the result', async () => {
      const results = await Promise.all([
        reports.partial('p1'),
        reports.partial('p1'),
      ]);
      expect(reports.loads).toBe(2);
      expect(results.map((r) => r.n).sort((x, y) => x - y)).toEqual([1, 2]);
    });

    it('each load for themselves when cacheNullish: false meets null', async () => {
      const results = await Promise.all([
        reports.none('n1'),
        reports.none('n1'),
      ]);
      expect(reports.loads).toBe(2);
      expect(results).toEqual([null, null]);
    });

    it('load one at a time once the shared load was refused twice', async () => {
      let inFlight = 0;
      let most = 0;
      let loads = 0;
      const loader = async () => {
        const n = ++loads;
        most = Math.max(most, ++inFlight);
        // long enough for every waiting caller to join this load
        await sleep(300);
        // a write while the first two loads run: their fills are refused
        if (n <= 2) await cache.invalidateTags(['twice']);
        inFlight--;
        return n;
      };
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          cache.getOrSet('twice:1', loader, { tags: ['twice'] }),
        ),
      );
      expect(results).toHaveLength(10);
      // the two refused, then the in-process single flight: one load for
      // the first caller, one more shared by the others
      expect(most).toBe(1);
      expect(loads).toBe(4);
    });

    it('getOrSet with cacheNullish: false does not hand a null over', async () => {
      let loads = 0;
      const loader = async () => {
        if (++loads === 1) await latch.reads(2);
        return null;
      };
      const options = { cacheNullish: false };
      const results = await Promise.all([
        cache.getOrSet('gs1', loader, options),
        cache.getOrSet('gs1', loader, options),
      ]);
      expect(loads).toBe(2);
      expect(results).toEqual([null, null]);
    });
  },
);
