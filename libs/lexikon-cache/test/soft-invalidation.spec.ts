import { Injectable, Logger } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { jest } from '@jest/globals';
import type { Cluster, Redis } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  LexikonCacheModule,
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
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { eventually, within } from './support/bounded.js';

/** A loader that counts its calls. */
function counted(value: string): {
  load: () => Promise<string>;
  calls: number;
} {
  const c = {
    calls: 0,
    load: () => {
      c.calls++;
      return Promise.resolve(value);
    },
  };
  return c;
}

type Instance = ServiceInstance;

type Setup = [StoreTarget, 'one instance' | 'two instances, in-process tier'];

/**
 * A soft invalidation outdates what its tags cover instead of dropping it:
 * never a hit again (a read reloads), but within its grace the old value
 * is served when the reload fails or is slow, as past its TTL. A hard
 * invalidation after it is absolute. With two instances, the writer
 * invalidates and the other one reads (its in-process tier held the entry).
 */
describe.each<Setup>([
  ['memory', 'one instance'],
  ['redis', 'one instance'],
  ['redis', 'two instances, in-process tier'],
  ['cluster', 'one instance'],
])('soft invalidation (%s, %s)', (target, setup) => {
  const prefix = uniquePrefix('soft');
  let writer: Instance;
  let reader: Instance;
  let raw: Redis | Cluster | undefined;
  const opts = { ttl: '1m' as const, grace: '1m' as const, tags: ['row'] };
  const soft = () => writer.cache.invalidateTags(['row'], { soft: true });

  beforeEach(async () => {
    const options: LexikonCacheModuleOptions = {
      ...(await targetOptions(target)),
      keyPrefix: prefix,
      ...(setup !== 'one instance' && { l1: true }),
    };
    writer = await serviceInstance(options);
    reader = setup === 'one instance' ? writer : await serviceInstance(options);
    raw = await rawClient(target);
  });

  afterEach(async () => {
    await writer.module.close();
    if (reader !== writer) await reader.module.close();
    if (raw) {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
  });

  afterAll(stopSharedCluster);

  /** The entry read once by the reader (so that its tier holds it), then a hit. */
  async function cached(key: string, value: string): Promise<void> {
    await writer.cache.getOrSet(key, () => Promise.resolve(value), opts);
    const hit = counted('never');
    await expect(reader.cache.getOrSet(key, hit.load, opts)).resolves.toBe(
      value,
    );
    expect(hit.calls).toBe(0);
  }

  it('reloads after it (no hit of the old value); what the reload stored is fresh again', async () => {
    await cached('k1', 'old');
    await expect(soft()).resolves.toBe(true);
    const reload = counted('new');
    await expect(reader.cache.getOrSet('k1', reload.load, opts)).resolves.toBe(
      'new',
    );
    await expect(reader.cache.getOrSet('k1', reload.load, opts)).resolves.toBe(
      'new',
    );
    expect(reload.calls).toBe(1);
    // a second soft invalidation outdates the reloaded entry in turn
    await soft();
    const again = counted('newer');
    await expect(reader.cache.getOrSet('k1', again.load, opts)).resolves.toBe(
      'newer',
    );
    expect(again.calls).toBe(1);
    expect(await reader.cache.get('k1')).toBe('newer');
  });

  it('serves the old value within its grace when the reload fails, and warns', async () => {
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    try {
      await cached('k2', 'old');
      await soft();
      // not fresh: a plain read misses
      expect(await reader.cache.get('k2')).toBeUndefined();
      const before = reader.cache.stats().total.stale;
      let calls = 0;
      const failing = () => {
        calls++;
        return down();
      };
      await expect(reader.cache.getOrSet('k2', failing, opts)).resolves.toBe(
        'old',
      );
      // put back as outdated: the next read tries to reload again
      await expect(reader.cache.getOrSet('k2', failing, opts)).resolves.toBe(
        'old',
      );
      expect(calls).toBe(2);
      expect(reader.cache.stats().total.stale - before).toBe(2);
      const ok = counted('new');
      await expect(reader.cache.getOrSet('k2', ok.load, opts)).resolves.toBe(
        'new',
      );
      expect(ok.calls).toBe(1);
    } finally {
      warn.mockRestore();
    }
  });

  it('never serves it once a hard invalidation followed', async () => {
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    try {
      await cached('k3', 'old');
      await soft();
      const before = reader.cache.stats().total.stale;
      await expect(reader.cache.getOrSet('k3', down, opts)).resolves.toBe(
        'old',
      );
      expect(reader.cache.stats().total.stale - before).toBe(1);
      await writer.cache.invalidateTags(['row']);
      await expect(reader.cache.getOrSet('k3', down, opts)).rejects.toThrow(
        'database down',
      );
      // nor after another soft one
      await soft();
      await expect(reader.cache.getOrSet('k3', down, opts)).rejects.toThrow(
        'database down',
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('without a grace period reloads, and serves nothing when the reload fails', async () => {
    const noGrace = { ...opts, grace: false as const };
    await writer.cache.getOrSet('k4', () => Promise.resolve('old'), noGrace);
    await expect(reader.cache.getOrSet('k4', down, noGrace)).resolves.toBe(
      'old',
    );
    await soft();
    await expect(reader.cache.getOrSet('k4', down, noGrace)).rejects.toThrow(
      'database down',
    );
    const reload = counted('new');
    await expect(
      reader.cache.getOrSet('k4', reload.load, noGrace),
    ).resolves.toBe('new');
    expect(reload.calls).toBe(1);
  });

  it('serves the old value at the soft timeout while the reload goes on and fills it', async () => {
    await cached('k5', 'old');
    await soft();
    const gate = latch();
    let calls = 0;
    const slow = async () => {
      calls++;
      await gate.promise;
      return 'new';
    };
    const timed = { ...opts, timeouts: { soft: 50, hard: 60_000 } };
    const { value: served } = await within(5_000, () =>
      reader.cache.getOrSet('k5', slow, timed),
    );
    expect([served, calls]).toEqual(['old', 1]);
    gate.open();
    let value: string | undefined;
    for (let i = 0; i < 100 && value !== 'new'; i++) {
      await sleep(10);
      value = await reader.cache.getOrSet('k5', down, opts);
    }
    expect([value, calls]).toEqual(['new', 1]);
  });

  it('with stale-while-revalidate, serves the old value at once and refreshes it in the background', async () => {
    const swr = { ...opts, staleWhileRevalidate: '1m' as const };
    await cached('k6', 'old');
    await soft();
    const gate = latch();
    let calls = 0;
    const slow = async () => {
      calls++;
      await gate.promise;
      return 'new';
    };
    const { value: served } = await within(5_000, () =>
      reader.cache.getOrSet('k6', slow, swr),
    );
    expect(served).toBe('old');
    gate.open();
    let value: string | undefined;
    for (let i = 0; i < 100 && value !== 'new'; i++) {
      await sleep(10);
      value = await reader.cache.getOrSet('k6', down, swr);
    }
    expect([value, calls]).toEqual(['new', 1]);
  });
});

/**
 * Made while Redis hangs, a soft invalidation is deferred and replayed as
 * soft; a hard one of the same tag waiting with it wins.
 */
describe('soft invalidation made while Redis hangs', () => {
  let server: RedisServerProcess;
  let a: Instance;
  const opts = { ttl: '1m' as const, grace: '1m' as const, tags: ['row'] };

  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });

  beforeEach(async () => {
    a = await serviceInstance({
      redis: { url: server.url },
      keyPrefix: uniquePrefix('soft-outage'),
      commandTimeout: '200ms',
      // the first timeout opens the breaker: only the replay can apply it
      breakerThreshold: 1,
      breakerCooldown: '300ms',
    });
  });

  afterEach(() => a.module.close());

  afterAll(stopAllRedisServers);

  async function whileRedisHangs(during: () => Promise<void>): Promise<void> {
    server.pause();
    try {
      expect(await a.cache.get('probe')).toBeUndefined();
      await during();
    } finally {
      server.resume();
    }
    await eventually(
      'the pending invalidations reach Redis',
      async () =>
        (await a.cache.info().catch(() => undefined))?.pendingInvalidations ===
        0,
    );
  }

  it('is replayed soft: reloaded, the old value served when the reload fails', async () => {
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    try {
      await a.cache.getOrSet('k', () => Promise.resolve('old'), opts);
      await whileRedisHangs(async () => {
        await expect(
          a.cache.invalidateTags(['row'], { soft: true }),
        ).resolves.toBe(false);
      });
      expect(await a.cache.get('k')).toBeUndefined();
      await expect(a.cache.getOrSet('k', down, opts)).resolves.toBe('old');
    } finally {
      warn.mockRestore();
    }
  });

  it('is replayed hard when a hard invalidation of the tag waited too', async () => {
    await a.cache.getOrSet('k', () => Promise.resolve('old'), opts);
    await whileRedisHangs(async () => {
      await a.cache.invalidateTags(['row']);
      await a.cache.invalidateTags(['row'], { soft: true });
    });
    await expect(a.cache.getOrSet('k', down, opts)).rejects.toThrow(
      'database down',
    );
  });
});

@Injectable()
class Figures {
  value = 'old';
  loads = 0;
  failing = false;

  @Cacheable({ key: 'figures', tags: ['figures'], ttl: '1m', grace: '1m' })
  async read(): Promise<string> {
    this.loads++;
    if (this.failing) throw new Error('database down');
    return this.value;
  }

  @Cacheable({ key: 'listing', tags: ['listing'], ttl: '1m', grace: '1m' })
  async listing(): Promise<string> {
    if (this.failing) throw new Error('database down');
    return this.value;
  }

  @CacheInvalidate({ tags: ['listing'] }, { tags: ['figures'], soft: true })
  async write(value: string): Promise<void> {
    this.value = value;
  }

  @CacheInvalidate({ tags: ['figures'] })
  async reset(): Promise<void> {
    this.value = 'reset';
  }
}

describe('@CacheInvalidate({ soft: true }) (memory)', () => {
  let module: TestingModule;
  let figures: Figures;

  beforeEach(async () => {
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({ store: 'memory', interceptor: false }),
      ],
      providers: [Figures],
    }).compile();
    await module.init();
    figures = module.get(Figures);
  });

  afterEach(() => module.close());

  it('outdates its tags: reloaded after the write, the old figure served while the source fails', async () => {
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    try {
      await expect(figures.read()).resolves.toBe('old');
      await expect(figures.read()).resolves.toBe('old');
      expect(figures.loads).toBe(1);
      await figures.write('new');
      await expect(figures.read()).resolves.toBe('new');
      expect(figures.loads).toBe(2);
      await expect(figures.listing()).resolves.toBe('new');
      await figures.write('newer');
      figures.failing = true;
      await expect(figures.read()).resolves.toBe('new');
      expect(figures.loads).toBe(3);
      // the same write's other tag was invalidated hard
      await expect(figures.listing()).rejects.toThrow('database down');
      await figures.reset();
      await expect(figures.read()).rejects.toThrow('database down');
    } finally {
      warn.mockRestore();
    }
  });
});
