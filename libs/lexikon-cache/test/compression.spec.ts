import { Redis } from 'ioredis';
import {
  CacheOptionsError,
  trainDictionary,
  type CacheService,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { CommandLog } from '../../../test/support/command-log.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { resolveOptions } from '../src/core/options/resolve-options.js';
import {
  serviceInstance,
  type ServiceInstance,
} from './support/service-instance.js';

/** A term as the API caches it (~500 B of JSON), `i` making each one differ. */
function term(i: number) {
  return {
    id: `0b7c${String(i).padStart(4, '0')}-1c2d-4e5f-8a9b-${String(i * 7919).padStart(12, '0')}`,
    projectId: `p-${i % 50}`,
    key: `checkout.step${i % 9}.button.label`,
    value: `Proceed to step ${i % 9} and review your order number ${i}`,
    locale: ['en-US', 'de-DE', 'fr-FR'][i % 3],
    description:
      'The primary call to action on the cart page, shown under the order summary and above the legal notice',
    tags: ['cart', 'checkout', `release-${i % 4}`],
    createdAt: '2026-11-30T12:00:00.000Z',
    updatedAt: `2026-12-0${(i % 9) + 1}T08:30:00.000Z`,
    version: i % 23,
    reviewed: i % 2 === 0,
    author: `translator${i % 17}@example.com`,
  };
}

const big = (i: number) => ({ items: [term(i), term(i + 1), term(i + 2)] });

/**
 * Entries above the threshold are stored deflated, marked, and every
 * instance reads what any other wrote, whatever its own option; a
 * dictionary is shared through Redis and named in each entry.
 */
describe('compressed entries', () => {
  let redis: RedisServerProcess;
  let raw: Redis;
  let log: CommandLog;
  const open: ServiceInstance[] = [];

  async function instance(
    options: Partial<LexikonCacheModuleOptions> = {},
  ): Promise<CacheService> {
    const i = await serviceInstance({
      redis: { url: redis.url },
      keyPrefix: 'cz:',
      compression: true,
      ...options,
    });
    open.push(i);
    return i.cache;
  }

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    raw = new Redis(redis.url);
    log = await CommandLog.start(redis.url);
  });

  afterEach(async () => {
    for (const i of open.splice(0)) await i.module.close();
    await raw.flushall();
  });

  afterAll(async () => {
    raw?.disconnect();
    log?.close();
    await stopAllRedisServers();
  });

  it('stores a value over the threshold deflated and reads it back, typed values too', async () => {
    const cache = await instance();
    const value = { ...big(1), at: new Date(5), ids: new Set([1n, 2n]) };
    await cache.set('terms:big', value);
    const stored = (await raw.get('cz:terms:big')) ?? '';
    expect(stored.startsWith('E0\nZ0')).toBe(true);
    const plainLength = JSON.stringify(big(1)).length;
    expect(Buffer.byteLength(stored)).toBeLessThan(plainLength / 2);
    expect(await cache.get('terms:big')).toEqual(value);
  });

  it('is off unless asked for: values of any size are stored plain', async () => {
    const cache = await instance({ compression: undefined });
    await cache.set('terms:big', big(1));
    expect(await raw.get('cz:terms:big')).toBe(`E0\n${JSON.stringify(big(1))}`);
  });

  it('keeps values under the threshold plain', async () => {
    const cache = await instance({ compression: { threshold: 4096 } });
    await cache.set('terms:big', big(1));
    await cache.set('terms:small', term(1));
    expect(await raw.get('cz:terms:big')).toBe(`E0\n${JSON.stringify(big(1))}`);
    expect(await raw.get('cz:terms:small')).toBe(
      `E0\n${JSON.stringify(term(1))}`,
    );
  });

  it('reads entries of instances with and without compression alike', async () => {
    const on = await instance();
    const off = await instance({ compression: undefined });
    await on.set('terms:a', big(1), { tags: ['t'] });
    await off.set('terms:b', big(2));
    expect(await raw.get('cz:terms:b')).toBe(`E0\n${JSON.stringify(big(2))}`);
    expect(await off.get('terms:a')).toEqual(big(1));
    expect(await on.get('terms:b')).toEqual(big(2));
    expect(await off.mget(['terms:a', 'terms:b'])).toEqual([big(1), big(2)]);
  });

  it('shares a dictionary through Redis: another instance fetches it once', async () => {
    const dictionary = trainDictionary(
      Array.from({ length: 40 }, (_, i) => term(1000 + i)),
    );
    const writer = await instance({
      compression: { dictionaries: { terms: dictionary } },
    });
    const reader = await instance();
    await writer.set('terms:1', term(1));
    await writer.set('terms:2', term(2));
    const stored = (await raw.get('cz:terms:1')) ?? '';
    expect(stored).toMatch(/^E0\nZ1[0-9a-f]{8}/);
    const id = stored.slice(5, 13);
    expect(await raw.get(`cz:{dict}:terms:${id}`)).toBe(dictionary);
    // with the dictionary, ~500 B of JSON take well under half
    expect(Buffer.byteLength(stored)).toBeLessThan(
      JSON.stringify(term(1)).length * 0.4,
    );

    const first = await log.during(async () => {
      expect(await reader.get('terms:1')).toEqual(term(1));
    });
    expect(first).toHaveLength(2);
    expect(first).toContainEqual(['get', `cz:{dict}:terms:${id}`]);
    const second = await log.during(async () => {
      expect(await reader.get('terms:2')).toEqual(term(2));
    });
    expect(second).toHaveLength(1);
    // clear() keeps dictionaries: entries written later still name them
    await reader.clear();
    expect(await raw.get(`cz:{dict}:terms:${id}`)).toBe(dictionary);
  });

  it('treats an entry naming an unknown dictionary as a miss, and reloads it', async () => {
    const cache = await instance();
    await raw.set('cz:terms:lost', 'E0\nZ1deadbeef\x01\x02\x03', 'PX', 60_000);
    let loads = 0;
    const value = await cache.getOrSet('terms:lost', () => {
      loads++;
      return term(3);
    });
    expect(value).toEqual(term(3));
    expect(loads).toBe(1);
    expect(await cache.getOrSet('terms:lost', () => loads++)).toEqual(term(3));
    expect(loads).toBe(1);
    await raw.set('cz:terms:lost2', 'E0\nZ1deadbeef\x01\x02', 'PX', 60_000);
    expect(await cache.get('terms:lost2')).toBeUndefined();
  });

  it('rejects a malformed option with a typed error', () => {
    expect(() => resolveOptions({ compression: { threshold: -1 } })).toThrow(
      CacheOptionsError,
    );
    expect(() =>
      resolveOptions({ compression: { dictionaries: { terms: '' } } }),
    ).toThrow(CacheOptionsError);
    expect(() =>
      resolveOptions({ compression: 'yes' as unknown as boolean }),
    ).toThrow(CacheOptionsError);
  });
});
