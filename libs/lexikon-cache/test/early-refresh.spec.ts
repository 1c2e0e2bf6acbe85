import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Cluster, Redis } from 'ioredis';
import {
  Cacheable,
  CacheDecorationError,
  CacheOptionsError,
  CacheService,
  LexikonCacheModule,
  type CacheGetOrSetOptions,
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

/** Entries live this long; readers go on for `TTLS` of them. */
const TTL_MS = 500;
const TTLS = 3;
/** The loader's time, which early refresh measures. */
const LOAD_MS = 30;
/**
 * Readers per instance, and each one's pause between reads: about one read
 * a millisecond, so the refresh is drawn well before the entry's last
 * `LOAD_MS` (missing it all that long has odds of about e^-11 per TTL).
 */
const READERS = 4;
const READ_EVERY_MS = 4;

type Instance = ServiceInstance;

/** A slow source: each load takes `LOAD_MS` and answers its number. */
class Source {
  loads = 0;

  readonly load = async (): Promise<number> => {
    const n = ++this.loads;
    await sleep(LOAD_MS);
    return n;
  };
}

const misses = (xs: readonly Instance[]) =>
  xs.reduce((n, x) => n + x.cache.stats().total.misses, 0);

/**
 * A hot key under steady load: `READERS` readers shared by the instances,
 * each reading every few ms, for `TTLS` TTLs after the first load. Counts
 * what the readers saw.
 */
async function steadyLoad(
  readers: readonly Instance[],
  key: string,
  opts: CacheGetOrSetOptions,
): Promise<{ refreshes: number; misses: number; reads: number }> {
  const source = new Source();
  await readers[0].cache.getOrSet(key, source.load, opts);
  const before = misses(readers);
  const end = performance.now() + TTLS * TTL_MS;
  let reads = 0;
  await Promise.all(
    Array.from({ length: READERS }, async (_, i) => {
      const x = readers[i % readers.length];
      while (performance.now() < end) {
        await x.cache.getOrSet(key, source.load, opts);
        reads++;
        await sleep(READ_EVERY_MS);
      }
    }),
  );
  // a refresh still running finishes before the counts are read
  await sleep(LOAD_MS * 3);
  return {
    refreshes: source.loads - 1,
    misses: misses(readers) - before,
    reads,
  };
}

type Setup = [StoreTarget, 'no tier' | 'in-process tier'];

/**
 * Early refresh (XFetch): a hot key is refreshed in the background before
 * its TTL, so no reader of it meets a miss at its expiry, and once per TTL.
 */
describe.each<Setup>([
  ['memory', 'no tier'],
  ['redis', 'no tier'],
  ['redis', 'in-process tier'],
  ['cluster', 'no tier'],
])('early refresh (%s, %s)', (target, tier) => {
  const prefix = uniquePrefix('early');
  let a: Instance;
  let raw: Redis | Cluster | undefined;

  beforeEach(async () => {
    a = await serviceInstance({
      ...(await targetOptions(target)),
      keyPrefix: prefix,
      ...(tier === 'in-process tier' && { l1: true }),
    });
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

  it('refreshes a hot key once per TTL, before it expires: no reader meets a miss', async () => {
    const seen = await steadyLoad([a], 'hot:1', {
      ttl: TTL_MS,
      earlyRefresh: true,
    });
    expect(seen.reads).toBeGreaterThan(100);
    expect(seen.misses).toBe(0);
    expect(seen.refreshes).toBeGreaterThanOrEqual(TTLS - 1);
    expect(seen.refreshes).toBeLessThanOrEqual(TTLS + 1);
  });

  it.each([
    ['a key delete', (c: CacheService) => c.delete('row:1')],
    ['a tag invalidation', (c: CacheService) => c.invalidateTags(['row'])],
    [
      'a soft tag invalidation',
      (c: CacheService) => c.invalidateTags(['row'], { soft: true }),
    ],
  ])(
    'never installs what an early refresh loaded before %s',
    async (_what, invalidate) => {
      let row = 1;
      let loads = 0;
      let gate: Promise<void> | undefined;
      let started!: () => void;
      const refreshing = new Promise<void>((resolve) => (started = resolve));
      const load = async () => {
        loads++;
        const value = row;
        const g = gate;
        gate = undefined;
        if (g) {
          started();
          await g;
        } else {
          await sleep(20);
        }
        return value;
      };
      // beta this large refreshes on (almost) the first hit; the grace
      // period is what a soft invalidation would serve from, when loads fail
      const opts = {
        ttl: TTL_MS,
        grace: '1m' as const,
        tags: ['row'],
        earlyRefresh: { beta: 1_000 },
      };
      await expect(a.cache.getOrSet('row:1', load, opts)).resolves.toBe(1);
      const held = latch();
      gate = held.promise;
      for (let i = 0; i < 50 && loads < 2; i++) {
        // the entry is answered while its refresh starts
        await expect(a.cache.getOrSet('row:1', load, opts)).resolves.toBe(1);
        await sleep(2);
      }
      expect(loads).toBe(2);
      await refreshing;
      row = 2;
      await invalidate(a.cache);
      // after the invalidation, never the old value: neither now...
      await expect(a.cache.getOrSet('row:1', load, opts)).resolves.toBe(2);
      held.open();
      await sleep(50);
      // ...nor once the refresh that read it finished: the entry holds 2
      await expect(a.cache.getOrSet('row:1', load, opts)).resolves.toBe(2);
      await expect(a.cache.getOrSet('row:1', down, opts)).resolves.toBe(2);
      // refreshes the last reads started settle before the module closes
      await sleep(100);
    },
  );
});

/** The control: the same load without early refresh. */
describe.each<StoreTarget>(['memory', 'redis'])(
  'without early refresh (%s)',
  (target) => {
    it('the same load meets a miss at each expiry', async () => {
      const prefix = uniquePrefix('early-off');
      const x = await serviceInstance({
        ...(await targetOptions(target)),
        keyPrefix: prefix,
      });
      const raw = await rawClient(target);
      try {
        const seen = await steadyLoad([x], 'hot:2', { ttl: TTL_MS });
        expect(seen.misses).toBeGreaterThanOrEqual(TTLS - 1);
        expect(seen.misses).toBe(seen.refreshes);
      } finally {
        await x.module.close();
        if (raw) {
          await deleteKeysWithPrefix(raw, prefix);
          raw.disconnect();
        }
      }
    });
  },
);

/** Two instances on one Redis: the lease makes one refresh per TTL between them. */
describe('early refresh on two instances (redis)', () => {
  const prefix = uniquePrefix('early-two');
  const pair = {} as { a: Instance; b: Instance };
  let raw: Redis | Cluster | undefined;

  beforeAll(async () => {
    const options: LexikonCacheModuleOptions = {
      ...(await targetOptions('redis')),
      keyPrefix: prefix,
      earlyRefresh: true,
      // renewed every 100 ms, were an early refresh's lease renewed
      leaseTtl: 300,
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

  it('shares one refresh per TTL', async () => {
    // b learns the namespace's loader time from another key of it
    await pair.b.cache.getOrSet('hot:warm', new Source().load);
    const seen = await steadyLoad([pair.a, pair.b], 'hot:shared', {
      ttl: TTL_MS,
    });
    expect(seen.misses).toBe(0);
    expect(seen.refreshes).toBeGreaterThanOrEqual(TTLS - 1);
    expect(seen.refreshes).toBeLessThanOrEqual(TTLS + 1);
  });

  it('answers the other instance from the entry the refresh keeps, until its TTL', async () => {
    const opts = { ttl: 300, earlyRefresh: { beta: 1_000 } };
    const slowFirst = async () => {
      await sleep(20);
      return 'old';
    };
    await pair.a.cache.getOrSet('hot:kept', slowFirst, opts);
    const held = latch();
    let refreshes = 0;
    const gated = async () => {
      refreshes++;
      await held.promise;
      return 'late';
    };
    for (let i = 0; i < 50 && refreshes === 0; i++) {
      await pair.a.cache.getOrSet('hot:kept', gated, opts);
      await sleep(2);
    }
    expect(refreshes).toBe(1);
    let bLoads = 0;
    const bLoad = () => {
      bLoads++;
      return Promise.resolve('new');
    };
    // while a's refresh is held: b answers at once from the entry its lease keeps
    const { value } = await within(1_000, () =>
      pair.b.cache.getOrSet('hot:kept', bLoad, opts),
    );
    expect([value, bLoads]).toEqual(['old', 0]);
    // past the entry's TTL, the lease is gone with it: b reloads
    await sleep(350);
    await expect(pair.b.cache.getOrSet('hot:kept', bLoad, opts)).resolves.toBe(
      'new',
    );
    expect(bLoads).toBe(1);
    held.open();
    await sleep(50);
    // the refresh that outlived its lease stored nothing over b's fill
    await expect(pair.a.cache.getOrSet('hot:kept', down, opts)).resolves.toBe(
      'new',
    );
    await sleep(100);
  });
});

@Injectable()
class Terms {
  loads = 0;

  @Cacheable({ key: 'term:{id}', ttl: TTL_MS, earlyRefresh: { beta: 1_000 } })
  async find(id: string): Promise<string> {
    const n = ++this.loads;
    await sleep(20);
    return `${id}#${n}`;
  }
}

/** Rows whose tag comes from the loaded value (`project:{result.project}`). */
@Injectable()
class Rows {
  project = 'p1';
  loads = 0;
  gate: Promise<void> | undefined;
  started: (() => void) | undefined;

  @Cacheable({
    key: 'row:{id}',
    ttl: TTL_MS,
    tags: ['project:{result.project}'],
    earlyRefresh: { beta: 1_000 },
  })
  async find(id: string): Promise<{ id: string; project: string; n: number }> {
    const n = ++this.loads;
    const project = this.project;
    const gate = this.gate;
    this.gate = undefined;
    if (gate) {
      this.started?.();
      await gate;
    } else {
      await sleep(20);
    }
    return { id, project, n };
  }
}

describe('early refresh of an entry with a tag learnt from its value (redis)', () => {
  it('never answers with the entry the refresh keeps once that tag was invalidated', async () => {
    const prefix = uniquePrefix('early-late');
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          ...(await targetOptions('redis')),
          keyPrefix: prefix,
          ttlJitter: 0,
          interceptor: false,
        }),
      ],
      providers: [Rows],
    }).compile();
    await module.init();
    const raw = await rawClient('redis');
    try {
      const rows = module.get(Rows);
      const cache = module.get(CacheService);
      await expect(rows.find('r1')).resolves.toMatchObject({ n: 1 });
      const held = latch();
      rows.gate = held.promise;
      const refreshing = new Promise<void>((r) => (rows.started = r));
      for (let i = 0; i < 50 && rows.loads < 2; i++) {
        await expect(rows.find('r1')).resolves.toMatchObject({ n: 1 });
        await sleep(2);
      }
      await refreshing;
      rows.project = 'p2';
      await cache.invalidateTags(['project:p1']);
      // the lease still keeps the entry of n 1: never an answer now; nor the
      // refresh's (n 2), which read the row before the invalidation
      const read = rows.find('r1');
      held.open();
      const { value } = await within(5_000, () => read);
      expect(value).toMatchObject({ project: 'p2', n: 3 });
      await sleep(50);
    } finally {
      await module.close();
      if (raw) {
        await deleteKeysWithPrefix(raw, prefix);
        raw.disconnect();
      }
    }
  });
});

describe('early refresh on a decorated method (memory)', () => {
  it('refreshes behind the hits', async () => {
    const module = await Test.createTestingModule({
      imports: [LexikonCacheModule.forRoot({ store: 'memory', ttlJitter: 0 })],
      providers: [Terms],
    }).compile();
    await module.init();
    try {
      const terms = module.get(Terms);
      await expect(terms.find('t1')).resolves.toBe('t1#1');
      const answers = new Set<string>();
      for (let i = 0; i < 50 && terms.loads < 2; i++) {
        answers.add(await terms.find('t1'));
        await sleep(2);
      }
      // the hits were answered from the entry while the refresh loaded
      expect([...answers]).toEqual(['t1#1']);
      expect(terms.loads).toBe(2);
      await sleep(50);
      expect(await terms.find('t1')).toBe('t1#2');
      await sleep(50);
    } finally {
      await module.close();
    }
  });
});

@Injectable()
class BadBeta {
  @Cacheable({ key: 'x', earlyRefresh: { beta: -1 } })
  async find(): Promise<number> {
    return Promise.resolve(1);
  }
}

describe('early refresh options', () => {
  it.each([
    [{ beta: 0 }, /earlyRefresh\.beta must be a finite number above 0, got 0/],
    [{ beta: Number.NaN }, /earlyRefresh\.beta.*got NaN/],
    [{ beta: Infinity }, /earlyRefresh\.beta.*got Infinity/],
    ['yes' as unknown as boolean, /earlyRefresh must be true, false/],
  ])('refuses %p on the module', async (earlyRefresh, message) => {
    const err = await serviceInstance({ store: 'memory', earlyRefresh }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CacheOptionsError);
    expect((err as Error).message).toMatch(message);
  });

  it('refuses a bad beta on a getOrSet call', async () => {
    const x = await serviceInstance({ store: 'memory' });
    try {
      await expect(
        x.cache.getOrSet('k', () => Promise.resolve(1), {
          earlyRefresh: { beta: -2 },
        }),
      ).rejects.toThrow(CacheOptionsError);
    } finally {
      await x.module.close();
    }
  });

  it('refuses a bad beta on a decorator, naming the method', async () => {
    const module = await Test.createTestingModule({
      imports: [LexikonCacheModule.forRoot({ store: 'memory' })],
      providers: [BadBeta],
    }).compile();
    try {
      const err = await module.init().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CacheDecorationError);
      expect((err as Error).message).toContain('BadBeta.find');
      expect((err as Error).message).toContain('earlyRefresh.beta');
    } finally {
      await module.close();
    }
  });
});
