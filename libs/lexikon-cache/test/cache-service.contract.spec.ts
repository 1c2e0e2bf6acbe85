import {
  CacheWrongTypeError,
  InvalidKeyError,
  InvalidTtlError,
  UnencodableValueError,
} from '@lexikon/cache';
import {
  createCacheFixture,
  type CacheFixture,
  type StoreKind,
} from './support/cache-fixture.js';
import { sharedCluster, stopSharedCluster } from './support/store-fixture.js';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One contract, three stores: one Redis, a real 6-node cluster (entries and
 * tag versions on different nodes) and process memory must behave alike.
 */
describe.each<StoreKind>(['redis', 'cluster', 'memory'])(
  'CacheService contract (%s store)',
  (kind) => {
    let f: CacheFixture;

    // one cluster for the whole file, started before the first fixture needs it
    beforeAll(async () => {
      if (kind === 'cluster') await sharedCluster();
    });

    afterAll(async () => {
      if (kind === 'cluster') await stopSharedCluster();
    });

    beforeEach(async () => {
      f = await createCacheFixture(kind, `contract-${kind}`);
    });

    afterEach(async () => {
      await f.close();
    });

    describe('get / set', () => {
      it('returns undefined on a miss and the stored value on a hit', async () => {
        expect(await f.cache.get('user:1')).toBeUndefined();
        expect(await f.cache.set('user:1', { id: 1, name: 'Ada' })).toBe(true);
        expect(await f.cache.get('user:1')).toEqual({ id: 1, name: 'Ada' });
      });

      it('tells a stored null apart from a miss', async () => {
        await f.cache.set('nothing', null);
        expect(await f.cache.get('nothing')).toBeNull();
        expect(await f.cache.exists('nothing')).toBe(true);
        expect(await f.cache.exists('absent')).toBe(false);
      });

      it('keeps the types of Date, BigInt, Map, Set, Buffer and undefined', async () => {
        const value = {
          at: new Date('2024-02-29T12:34:56.789Z'),
          big: 2n ** 70n,
          map: new Map<unknown, unknown>([
            ['a', 1],
            [2, new Date(0)],
          ]),
          set: new Set(['x', 'y']),
          buf: Buffer.from([0, 1, 254, 255]),
          nested: { list: [1, undefined, null, { deep: new Set([1n]) }] },
          missing: undefined,
          nan: Number.NaN,
          negZero: -0,
          $: 'a user key that looks like our marker',
        };
        await f.cache.set('typed', value);
        const back = await f.cache.get<typeof value>('typed');
        expect(back).toEqual(value);
        expect(back?.at).toBeInstanceOf(Date);
        expect(typeof back?.big).toBe('bigint');
        expect(back?.map).toBeInstanceOf(Map);
        expect(back?.set).toBeInstanceOf(Set);
        expect(Buffer.isBuffer(back?.buf)).toBe(true);
        expect(Object.is(back?.negZero, -0)).toBe(true);
        expect(back && 'missing' in back).toBe(true);
        expect(await f.cache.get('top-undefined')).toBeUndefined();
      });

      it('rejects TTLs that are not positive integers, writing nothing', async () => {
        for (const ttl of [0, -1, 1.5, Number.NaN, Infinity]) {
          await expect(f.cache.set('k', 1, { ttl })).rejects.toBeInstanceOf(
            InvalidTtlError,
          );
        }
        expect(await f.cache.get('k')).toBeUndefined();
      });

      it('rejects empty keys', async () => {
        await expect(f.cache.set('', 1)).rejects.toBeInstanceOf(
          InvalidKeyError,
        );
        await expect(f.cache.get('')).rejects.toBeInstanceOf(InvalidKeyError);
      });

      it('refuses values it cannot encode with a typed error, writing nothing', async () => {
        const circular: Record<string, unknown> = { a: 1 };
        circular.self = circular;
        for (const value of [
          () => 1,
          Symbol('s'),
          circular,
          { nested: { fn: () => 2 } },
        ]) {
          await expect(f.cache.set('bad', value)).rejects.toBeInstanceOf(
            UnencodableValueError,
          );
        }
        expect(await f.cache.exists('bad')).toBe(false);
      });

      it('does not cache values above maxValueBytes', async () => {
        const small = await createCacheFixture(kind, `contract-small-${kind}`, {
          maxValueBytes: 1024,
        });
        try {
          expect(await small.cache.set('big', 'x'.repeat(2000))).toBe(false);
          expect(await small.cache.exists('big')).toBe(false);
          expect(await small.cache.set('fits', 'x'.repeat(500))).toBe(true);
        } finally {
          await small.close();
        }
      });

      it('expires entries after their TTL', async () => {
        await f.cache.set('short', 'soon gone', { ttl: '1s' });
        expect(await f.cache.get('short')).toBe('soon gone');
        await sleep(1100);
        expect(await f.cache.get('short')).toBeUndefined();
      });
    });

    it('deletes one or several keys and reports how many existed', async () => {
      await f.cache.mset({ a: 1, b: 2, c: 3 });
      expect(await f.cache.delete('a')).toBe(1);
      expect(await f.cache.delete(['b', 'c', 'zzz'])).toBe(2);
      expect(await f.cache.mget(['a', 'b', 'c'])).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('mget / mset round-trip many values with one TTL', async () => {
      expect(
        await f.cache.mset(
          [
            ['m:1', { n: 1 }],
            ['m:2', null],
            ['m:3', new Date(5)],
          ],
          { ttl: '60s' },
        ),
      ).toBe(true);
      expect(await f.cache.mget(['m:1', 'm:2', 'm:missing', 'm:3'])).toEqual([
        { n: 1 },
        null,
        undefined,
        new Date(5),
      ]);
      await expect(f.cache.mset({ x: 1 }, { ttl: 0 })).rejects.toBeInstanceOf(
        InvalidTtlError,
      );
    });

    describe('deletePattern', () => {
      it('deletes 10,000 matching keys and leaves other namespaces intact', async () => {
        const entries: [string, number][] = [];
        for (let i = 0; i < 10_000; i++) entries.push([`bulk:${i}`, i]);
        for (let i = 0; i < 100; i++) entries.push([`keep:${i}`, i]);
        for (let i = 0; i < entries.length; i += 1000) {
          await f.cache.mset(entries.slice(i, i + 1000));
        }
        expect(await f.cache.deletePattern('bulk:*')).toBe(10_000);
        expect(await f.cache.get('bulk:42')).toBeUndefined();
        const kept = await f.cache.mget(entries.slice(10_000).map(([k]) => k));
        expect(kept).toEqual(entries.slice(10_000).map(([, v]) => v));
      });

      it('treats [, ], ? and \\ in the pattern literally', async () => {
        const keys = ['a[1]', 'a1', 'a?b', 'axb', 'a\\b', 'a[1]x'];
        await f.cache.mset(keys.map((k) => [k, k] as [string, string]));
        expect(await f.cache.deletePattern('a[1]')).toBe(1);
        expect(await f.cache.deletePattern('a?b')).toBe(1);
        expect(await f.cache.deletePattern('a\\b')).toBe(1);
        expect(await f.cache.mget(keys)).toEqual([
          undefined,
          'a1',
          undefined,
          'axb',
          undefined,
          'a[1]x',
        ]);
        expect(await f.cache.deletePattern('a[1]*')).toBe(1);
        expect(await f.cache.get('a1')).toBe('a1');
      });
    });

    it('clear() deletes only its own prefix', async () => {
      const other = await createCacheFixture(kind, `contract-other-${kind}`);
      try {
        await f.cache.mset({ a: 1, b: 2 });
        await other.cache.set('a', 'other');
        if (f.raw)
          await f.raw.set(
            `${f.prefix.slice(0, -1)}x:unprefixed`,
            'raw',
            'EX',
            60,
          );
        expect(await f.cache.clear()).toBe(2);
        expect(await f.cache.get('a')).toBeUndefined();
        if (kind !== 'memory') expect(await other.cache.get('a')).toBe('other');
        if (f.raw) {
          expect(await f.raw.get(`${f.prefix.slice(0, -1)}x:unprefixed`)).toBe(
            'raw',
          );
          await f.raw.del(`${f.prefix.slice(0, -1)}x:unprefixed`);
        }
      } finally {
        await other.close();
      }
    });

    describe('batch', () => {
      it('runs a typed batch and reports a failing command by position', async () => {
        // a batch is atomic: in a cluster its keys must share a slot, hence the hash tag
        await f.cache.set('{p}:not-a-counter', { a: 1 });
        const [set, get, incr, bad, del, exists] = await f.cache.batch((b) =>
          b
            .set('{p}:1', new Date(7))
            .get<Date>('{p}:1')
            .increment('{p}:count', 5)
            .increment('{p}:not-a-counter')
            .delete('{p}:1')
            .exists('{p}:1'),
        );
        expect(set).toEqual({ ok: true, value: true });
        expect(get.ok && get.value).toEqual(new Date(7));
        expect(incr).toEqual({ ok: true, value: 5 });
        expect(bad.ok).toBe(false);
        if (!bad.ok) expect(bad.error).toBeInstanceOf(CacheWrongTypeError);
        expect(del).toEqual({ ok: true, value: 1 });
        expect(exists).toEqual({ ok: true, value: false });
        expect(await f.cache.get('{p}:not-a-counter')).toEqual({ a: 1 });
      });
    });

    describe('getOrSet', () => {
      it('loads on a miss, then serves the cached value', async () => {
        let calls = 0;
        const load = () => {
          calls++;
          return Promise.resolve({ v: calls });
        };
        expect(await f.cache.getOrSet('g:1', load)).toEqual({ v: 1 });
        expect(await f.cache.getOrSet('g:1', load)).toEqual({ v: 1 });
        expect(calls).toBe(1);
        expect(await f.cache.get('g:1')).toEqual({ v: 1 });
      });

      it('caches null results, unless told not to', async () => {
        let calls = 0;
        const load = () => {
          calls++;
          return null;
        };
        await f.cache.getOrSet('g:null', load);
        await f.cache.getOrSet('g:null', load);
        expect(calls).toBe(1);
        await f.cache.getOrSet('g:null2', load, { cacheNullish: false });
        await f.cache.getOrSet('g:null2', load, { cacheNullish: false });
        expect(calls).toBe(3);
      });

      it('shares one loader call among 100 concurrent callers of a cold key', async () => {
        let calls = 0;
        const load = async () => {
          calls++;
          await sleep(50);
          return 'loaded';
        };
        const results = await Promise.all(
          Array.from({ length: 100 }, () => f.cache.getOrSet('g:cold', load)),
        );
        expect(calls).toBe(1);
        expect(new Set(results)).toEqual(new Set(['loaded']));
      });

      it('caches nothing when the loader throws, and every waiter gets the error', async () => {
        let calls = 0;
        const boom = async () => {
          calls++;
          await sleep(20);
          throw new Error('database down');
        };
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () => f.cache.getOrSet('g:fail', boom)),
        );
        expect(calls).toBe(1);
        for (const r of results) {
          expect(r.status).toBe('rejected');
          if (r.status === 'rejected')
            expect((r.reason as Error).message).toBe('database down');
        }
        expect(await f.cache.exists('g:fail')).toBe(false);
        expect(await f.cache.getOrSet('g:fail', () => 'recovered')).toBe(
          'recovered',
        );
      });

      it('invalidates entries by tag', async () => {
        await f.cache.getOrSet('t:1', () => 'one', { tags: ['project:1'] });
        await f.cache.set('t:2', 'two', { tags: ['project:1', 'other'] });
        await f.cache.set('t:3', 'three', { tags: ['other'] });
        expect(await f.cache.mget(['t:1', 't:2', 't:3'])).toEqual([
          'one',
          'two',
          'three',
        ]);
        expect(await f.cache.invalidateTags(['project:1'])).toBe(true);
        expect(await f.cache.mget(['t:1', 't:2', 't:3'])).toEqual([
          undefined,
          undefined,
          'three',
        ]);
        expect(
          await f.cache.getOrSet('t:1', () => 'reloaded', {
            tags: ['project:1'],
          }),
        ).toBe('reloaded');
      });
    });

    describe('increment', () => {
      it('creates a counter on a fresh key and adds atomically', async () => {
        expect(await f.cache.increment('c:1')).toBe(1);
        expect(await f.cache.increment('c:1', 4)).toBe(5);
        expect(await f.cache.increment('c:1', -2)).toBe(3);
        const all = await Promise.all(
          Array.from({ length: 50 }, () => f.cache.increment('c:2')),
        );
        expect(new Set(all).size).toBe(50);
        expect(await f.cache.get('c:2')).toBe(50);
      });

      it('refuses a key that holds another value', async () => {
        await f.cache.set('c:obj', { a: 1 });
        await expect(f.cache.increment('c:obj')).rejects.toBeInstanceOf(
          CacheWrongTypeError,
        );
        await expect(f.cache.increment('c:1', 1.5)).rejects.toThrow(/integer/);
      });
    });

    it('healthCheck() and info() describe the store', async () => {
      expect(await f.cache.healthCheck()).toBe(true);
      await f.cache.set('i:1', 1);
      await f.cache.get('i:1');
      const info = await f.cache.info();
      expect(info.kind).toBe(kind === 'memory' ? 'memory' : 'redis');
      expect(info.usedMemoryMb).toBeGreaterThanOrEqual(0);
      expect(typeof info.connectedClients).toBe('number');
      expect(info.totalCommandsProcessed).toBeGreaterThan(0);
      expect(info.stats.errors).toBe(0);
    });
  },
);

describe('memory store bound', () => {
  it('stays within memoryMaxEntries, dropping the least recently used', async () => {
    const small = await createCacheFixture('memory', 'contract-bounded', {
      memoryMaxEntries: 10,
    });
    try {
      for (let i = 0; i < 10; i++) await small.cache.set(`k:${i}`, i);
      expect(await small.cache.get('k:0')).toBe(0); // k:0 is now the most recent
      for (let i = 10; i < 15; i++) await small.cache.set(`k:${i}`, i);
      const values = await small.cache.mget(
        Array.from({ length: 15 }, (_, i) => `k:${i}`),
      );
      expect(values.filter((v) => v !== undefined)).toHaveLength(10);
      expect(values[0]).toBe(0);
      expect(values[1]).toBeUndefined();
      expect(values[14]).toBe(14);
    } finally {
      await small.close();
    }
  });
});
