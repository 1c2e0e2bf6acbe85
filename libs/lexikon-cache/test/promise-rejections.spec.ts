import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  Cacheable,
  CacheInvalidate,
  CachePut,
  CacheService,
  InvalidKeyError,
  InvalidTtlError,
  LexikonCacheError,
  LexikonCacheModule,
  UnencodableValueError,
} from '@lexikon/cache';
import { testRedisUrl } from '../../../test/support/services.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

function noKey(): string {
  throw new Error('no key for this call');
}

@Injectable()
class Lookups {
  calls = 0;

  @Cacheable({ key: noKey })
  async byKeyFunction(): Promise<number> {
    return ++this.calls;
  }

  @Cacheable({
    key: 'conditional',
    condition: () => {
      throw new Error('no condition for this call');
    },
  })
  async byCondition(): Promise<number> {
    return ++this.calls;
  }

  @CachePut({ key: noKey })
  async put(): Promise<number> {
    return ++this.calls;
  }

  @CacheInvalidate({ keys: () => noKey().split(',') })
  async invalidate(): Promise<number> {
    return ++this.calls;
  }
}

/** Calls `call` and expects a promise, not a synchronous throw; resolves to that promise. */
function promiseOf(call: () => Promise<unknown>): Promise<unknown> {
  let p: Promise<unknown> | undefined;
  expect(() => {
    p = call();
  }).not.toThrow();
  expect(p).toBeInstanceOf(Promise);
  return p as Promise<unknown>;
}

describe.each(['memory', 'redis'] as const)(
  'misuse with the %s store',
  (store) => {
    let module: TestingModule;
    let cache: CacheService;
    let lookups: Lookups;

    beforeAll(async () => {
      module = await Test.createTestingModule({
        imports: [
          LexikonCacheModule.forRoot({
            ...(store === 'redis'
              ? { redis: { url: testRedisUrl() } }
              : { store: 'memory' }),
            keyPrefix: uniquePrefix(`rejections-${store}`),
            interceptor: false,
          }),
        ],
        providers: [Lookups],
      }).compile();
      await module.init();
      cache = module.get(CacheService);
      lookups = module.get(Lookups);
    });

    afterAll(async () => {
      await cache.clear();
      await module.close();
    });

    beforeEach(() => {
      lookups.calls = 0;
    });

    it('getOrSet rejects a TTL that is not a whole number of ms, without calling the loader', async () => {
      let loads = 0;
      const loader = () => ++loads;
      await expect(
        promiseOf(() => cache.getOrSet('k', loader, { ttl: 1.5 })),
      ).rejects.toBeInstanceOf(InvalidTtlError);
      await expect(
        promiseOf(() => cache.getOrSet('', loader)),
      ).rejects.toBeInstanceOf(InvalidKeyError);
      expect(loads).toBe(0);
    });

    it.each<[string, (c: CacheService) => Promise<unknown>]>([
      ['get', (c) => c.get('')],
      ['set with a bad TTL', (c) => c.set('k', 1, { ttl: 1.5 })],
      ['mget', (c) => c.mget(['a', ''])],
      ['mset', (c) => c.mset({ a: 1 }, { ttl: -1 })],
      ['delete', (c) => c.delete([''])],
      ['deletePattern', (c) => c.deletePattern('')],
      ['invalidateTags', (c) => c.invalidateTags([''])],
      ['increment', (c) => c.increment('n', 1.5)],
      ['batch', (c) => c.batch((b) => b.get(''))],
    ])('%s rejects misuse with a LexikonCacheError', async (_name, call) => {
      await expect(promiseOf(() => call(cache))).rejects.toBeInstanceOf(
        LexikonCacheError,
      );
    });

    it('an unencodable value is an UnencodableValueError', async () => {
      await expect(
        promiseOf(() => cache.set('k', Symbol('s'))),
      ).rejects.toBeInstanceOf(UnencodableValueError);
    });

    it('a cached method whose key function throws rejects, without running', async () => {
      await expect(promiseOf(() => lookups.byKeyFunction())).rejects.toThrow(
        'no key for this call',
      );
      await expect(promiseOf(() => lookups.byCondition())).rejects.toThrow(
        'no condition for this call',
      );
      expect(lookups.calls).toBe(0);
    });

    it('@CachePut and @CacheInvalidate whose key function throws reject', async () => {
      await expect(promiseOf(() => lookups.put())).rejects.toThrow(
        'no key for this call',
      );
      await expect(promiseOf(() => lookups.invalidate())).rejects.toThrow(
        'no key for this call',
      );
    });
  },
);
