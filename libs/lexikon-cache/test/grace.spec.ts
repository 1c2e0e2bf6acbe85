import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';
import {
  CacheService,
  LoaderTimeoutError,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import {
  rawClient,
  stopSharedCluster,
  targetOptions,
  type StoreTarget,
} from './support/store-fixture.js';
import {
  serviceInstance,
  type ServiceInstance,
  sleep,
  latch,
  down,
} from './support/service-instance.js';
import { within } from './support/bounded.js';

/** Entries live this long; a test waits past it for an entry to outlive its TTL. */
const TTL_MS = 150;

type Setup = [StoreTarget, 'no tier' | 'in-process tier'];

/**
 * Grace periods: an entry past its TTL is served instead of its loader's
 * error or timeout, and never once an invalidation (key, tag, pattern)
 * reached it, before the reload or while it ran.
 */
describe.each<Setup>([
  ['memory', 'no tier'],
  ['redis', 'no tier'],
  ['redis', 'in-process tier'],
  ['cluster', 'no tier'],
])('grace (%s, %s)', (target, tier) => {
  const prefix = uniquePrefix('grace');
  let a: ServiceInstance;
  let raw: Redis | Cluster | undefined;
  const opts = { ttl: TTL_MS, grace: '1m' as const, tags: ['row'] };

  beforeEach(async () => {
    const options: LexikonCacheModuleOptions = {
      ...(await targetOptions(target)),
      keyPrefix: prefix,
      ...(tier === 'in-process tier' && { l1: true }),
    };
    a = await serviceInstance(options);
    raw = await rawClient(target);
  });

  afterEach(async () => {
    await a.module.close();
    if (raw) {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
  });

  afterAll(stopSharedCluster);

  async function outlived(key: string, value: string): Promise<void> {
    await a.cache.getOrSet(key, () => Promise.resolve(value), opts);
    await sleep(TTL_MS + 100);
  }

  it('serves the entry past its TTL when the loader fails, puts it back, and warns', async () => {
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    try {
      await outlived('k1', 'old');
      const before = a.cache.stats().total.stale;
      await expect(a.cache.getOrSet('k1', down, opts)).resolves.toBe('old');
      // put back for the rest of its grace: a second failure serves it too
      await expect(a.cache.getOrSet('k1', down, opts)).resolves.toBe('old');
      expect(a.cache.stats().total.stale - before).toBe(2);
      expect(
        warn.mock.calls.filter((c) => String(c[0]).includes('past its TTL')),
      ).toHaveLength(2);
    } finally {
      warn.mockRestore();
    }
  });

  it('reloads an entry past its TTL when the loader succeeds', async () => {
    await outlived('k2', 'old');
    let loads = 0;
    const load = () => {
      loads++;
      return Promise.resolve('new');
    };
    await expect(a.cache.getOrSet('k2', load, opts)).resolves.toBe('new');
    await expect(a.cache.getOrSet('k2', load, opts)).resolves.toBe('new');
    expect(loads).toBe(1);
  });

  it('keeps the hit path: within the TTL the loader does not run', async () => {
    await a.cache.getOrSet('k3', () => Promise.resolve('v'), opts);
    let loads = 0;
    const value = await a.cache.getOrSet(
      'k3',
      () => {
        loads++;
        return Promise.resolve('other');
      },
      opts,
    );
    expect([value, loads]).toEqual(['v', 0]);
  });

  it.each([
    ['a key delete', (c: CacheService) => c.delete('k4')],
    ['a tag invalidation', (c: CacheService) => c.invalidateTags(['row'])],
    ['a pattern delete', (c: CacheService) => c.deletePattern('k*')],
  ])(
    'never serves an entry %s reached after its TTL',
    async (_what, invalidate) => {
      await outlived('k4', 'old');
      await invalidate(a.cache);
      await expect(a.cache.getOrSet('k4', down, opts)).rejects.toThrow(
        'database down',
      );
    },
  );

  it.each([
    ['a key delete', (c: CacheService) => c.delete('k5')],
    ['a tag invalidation', (c: CacheService) => c.invalidateTags(['row'])],
    ['a pattern delete', (c: CacheService) => c.deletePattern('k*')],
  ])(
    'never serves an entry %s reached while its reload ran',
    async (_what, invalidate) => {
      await outlived('k5', 'old');
      const gate = latch();
      let started!: () => void;
      const running = new Promise<void>((resolve) => (started = resolve));
      const read = a.cache.getOrSet(
        'k5',
        async () => {
          started();
          await gate.promise;
          throw new Error('database down');
        },
        opts,
      );
      await running;
      await invalidate(a.cache);
      gate.open();
      await expect(read).rejects.toThrow('database down');
      // nor afterwards: the entry was not put back
      await expect(a.cache.getOrSet('k5', down, opts)).rejects.toThrow(
        'database down',
      );
    },
  );

  it('serves the entry at the soft timeout while the load goes on and fills it', async () => {
    await outlived('k6', 'old');
    const gate = latch();
    let loads = 0;
    const slow = async () => {
      loads++;
      await gate.promise;
      return 'new';
    };
    const timed = { ...opts, timeouts: { soft: 50, hard: 60_000 } };
    const { value: served } = await within(5_000, () =>
      a.cache.getOrSet('k6', slow, timed),
    );
    expect(served).toBe('old');
    expect(loads).toBe(1);
    gate.open();
    // the load filled the entry through its lease: the next read is a hit
    let value: string | undefined;
    for (let i = 0; i < 100 && value !== 'new'; i++) {
      await sleep(10);
      value = await a.cache.getOrSet('k6', down, opts);
    }
    expect([value, loads]).toEqual(['new', 1]);
  });

  it('fails with LoaderTimeoutError at the hard timeout when nothing may be served', async () => {
    const gate = latch();
    const hung = async () => {
      await gate.promise;
      return 'late';
    };
    try {
      await expect(
        within(5_000, () =>
          a.cache.getOrSet('k7', hung, { ...opts, timeouts: { hard: 50 } }),
        ),
      ).rejects.toBeInstanceOf(LoaderTimeoutError);
    } finally {
      gate.open();
    }
  });

  it('keeps nothing past the TTL of an entry filled with grace off', async () => {
    await a.cache.getOrSet('k8', () => Promise.resolve('old'), {
      ...opts,
      grace: false,
    });
    await sleep(TTL_MS + 100);
    await expect(a.cache.getOrSet('k8', down, opts)).rejects.toThrow(
      'database down',
    );
  });
});

type Instance = ServiceInstance;

/** Two instances on one Redis and one prefix, for the describe block that calls it. */
function twoInstances(
  name: string,
  extra: Partial<LexikonCacheModuleOptions> = {},
): { a: Instance; b: Instance } {
  const prefix = uniquePrefix(name);
  const pair = {} as { a: Instance; b: Instance };
  let raw: Redis | Cluster | undefined;
  beforeAll(async () => {
    const options: LexikonCacheModuleOptions = {
      ...(await targetOptions('redis')),
      keyPrefix: prefix,
      ...extra,
    };
    pair.a = await serviceInstance(options);
    pair.b = await serviceInstance(options);
    raw = await rawClient('redis');
  });
  afterAll(async () => {
    await pair.a?.module.close();
    await pair.b?.module.close();
    if (raw) {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
  });
  return pair;
}

/**
 * With the in-process tier, an entry read from Redis is kept in process only
 * until its TTL, never into its grace: past its TTL, a reader on another
 * instance reloads instead of serving it as fresh.
 */
describe('grace with the in-process tier on two instances', () => {
  const pair = twoInstances('grace-l1', { l1: true });

  it('reloads on the reader once the TTL passed', async () => {
    const opts = { ttl: TTL_MS, grace: '1m' as const };
    await pair.a.cache.getOrSet('t', () => Promise.resolve('old'), opts);
    // b reads it from Redis and keeps it in its tier
    await expect(pair.b.cache.getOrSet('t', down, opts)).resolves.toBe('old');
    await sleep(TTL_MS + 100);
    let loads = 0;
    const load = () => {
      loads++;
      return Promise.resolve('new');
    };
    await expect(pair.b.cache.getOrSet('t', load, opts)).resolves.toBe('new');
    expect(loads).toBe(1);
  });
});

/**
 * Stale-while-revalidate: past its TTL, within the window, the entry is
 * answered at once while one reload, across instances, refreshes it.
 */
describe('stale-while-revalidate on two instances (redis)', () => {
  const pair = twoInstances('swr');

  it('answers at once and refreshes once in the background', async () => {
    const opts = { ttl: TTL_MS, staleWhileRevalidate: '1m' as const };
    await pair.a.cache.getOrSet('s', () => Promise.resolve('old'), opts);
    await sleep(TTL_MS + 100);
    const gate = latch();
    let loads = 0;
    const slow = async () => {
      loads++;
      await gate.promise;
      return 'new';
    };
    // answered while the refresh is still held at the gate
    const { value } = await within(5_000, () =>
      pair.a.cache.getOrSet('s', slow, opts),
    );
    expect(value).toBe('old');
    // readers on both instances meanwhile start no second refresh
    const others = [pair.a, pair.b, pair.a, pair.b].map((x) =>
      x.cache.getOrSet('s', slow, opts),
    );
    await sleep(50);
    expect(loads).toBe(1);
    gate.open();
    const after = await within(10_000, () => Promise.all(others));
    expect(after.value.every((v) => v === 'old' || v === 'new')).toBe(true);
    await expect(pair.b.cache.getOrSet('s', slow, opts)).resolves.toBe('new');
    expect(loads).toBe(1);
  });
});
