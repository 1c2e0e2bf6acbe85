import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  CacheService,
  LexikonCacheModule,
} from '@lexikon/cache';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import { eventually, within } from './support/bounded.js';
import { entryKeys } from './support/redis-keys.js';

/** The database both instances read. */
const names = new Map<string, string>();

@Injectable()
class Profiles {
  loads = 0;

  @Cacheable({ key: 'profile:{id}' })
  async get(id: string): Promise<string | undefined> {
    this.loads++;
    return names.get(id);
  }

  @CacheInvalidate('profile:{id}')
  async rename(id: string, name: string): Promise<void> {
    names.set(id, name);
  }
}

interface Instance {
  readonly cache: CacheService;
  readonly profiles: Profiles;
}

interface Case {
  readonly name: string;
  /** Entries the invalidation covers, with their values. */
  readonly covered: Record<string, string>;
  /** Entries it must leave alone. */
  readonly kept?: Record<string, string>;
  readonly tags?: string[];
  readonly invalidate: (a: Instance) => Promise<unknown>;
}

const cases: Case[] = [
  {
    name: 'delete',
    covered: { 'k:1': 'old', 'k:2': 'old' },
    kept: { 'k:3': 'kept' },
    invalidate: (a) => a.cache.delete(['k:1', 'k:2']),
  },
  {
    name: 'deletePattern',
    covered: { 'p:1': 'old', 'p:2': 'old' },
    kept: { 'q:1': 'kept' },
    invalidate: (a) => a.cache.deletePattern('p:*'),
  },
  {
    name: 'clear',
    covered: { 'c:1': 'old', 'd:1': 'old' },
    invalidate: (a) => a.cache.clear(),
  },
  {
    name: 'invalidateTags',
    covered: { 't:1': 'old', 't:2': 'old' },
    tags: ['team:7'],
    kept: { 'u:1': 'kept' },
    invalidate: (a) => a.cache.invalidateTags(['team:7']),
  },
];

describe('invalidations made while Redis hangs', () => {
  let server: RedisServerProcess;
  let raw: Redis;
  let prefix: string;
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    raw = new Redis(server.url);
  });

  beforeEach(() => {
    prefix = uniquePrefix('invalidation-outage');
    names.clear();
  });

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
    await deleteKeysWithPrefix(raw, prefix);
  });

  afterAll(async () => {
    raw.disconnect();
    await stopAllRedisServers();
  });

  async function boot(): Promise<Instance> {
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: server.url },
          keyPrefix: prefix,
          commandTimeout: '200ms',
          // the first timeout opens the breaker: the invalidation itself is
          // then never sent, only the library's retry can apply it
          breakerThreshold: 1,
          breakerCooldown: '300ms',
          interceptor: false,
        }),
      ],
      providers: [Profiles],
    }).compile();
    await module.init();
    modules.push(module);
    return { cache: module.get(CacheService), profiles: module.get(Profiles) };
  }

  /** Pauses Redis, opens instance a's breaker, runs `during`, resumes. */
  async function whileRedisHangs(
    a: Instance,
    during: () => Promise<void>,
  ): Promise<void> {
    server.pause();
    try {
      expect(await a.cache.get('probe')).toBeUndefined();
      await during();
    } finally {
      server.resume();
    }
  }

  /**
   * Waits until nothing is pending on instance a and it reads Redis again
   * (a value another instance wrote since); resolves to that other instance.
   */
  async function settled(a: Instance): Promise<Instance> {
    await eventually(
      'the pending invalidations reach Redis',
      async () =>
        (await a.cache.info().catch(() => undefined))?.pendingInvalidations ===
        0,
    );
    const b = await boot();
    expect(await b.cache.set('sentinel', 'up')).toBe(true);
    await eventually(
      'instance a reads Redis again',
      async () => (await a.cache.get('sentinel')) === 'up',
    );
    return b;
  }

  it.each(cases)(
    '$name is applied once Redis is back, for every instance',
    async ({ covered, kept = {}, tags, invalidate }) => {
      const a = await boot();
      for (const [k, v] of Object.entries({ ...covered, ...kept })) {
        const tagged = k in covered ? tags : undefined;
        expect(await a.cache.set(k, v, { tags: tagged })).toBe(true);
      }

      await whileRedisHangs(a, async () => {
        const r = await within(5_000, () => invalidate(a));
        expect(r.ms).toBeLessThan(1_500);
        // while pending, this instance serves from the source
        for (const k of Object.keys(covered)) {
          expect(await a.cache.get(k)).toBeUndefined();
          expect(await a.cache.getOrSet(k, () => 'fresh')).toBe('fresh');
        }
      });

      const b = await settled(a);
      for (const reader of [a, b]) {
        for (const k of Object.keys(covered)) {
          expect({ k, value: await reader.cache.get(k) }).toEqual({
            k,
            value: undefined,
          });
        }
        for (const [k, v] of Object.entries(kept)) {
          expect(await reader.cache.get(k)).toBe(v);
        }
      }
      if (!tags) {
        const left = await entryKeys(raw, prefix);
        expect(left).toEqual(
          [...Object.keys(kept), 'sentinel'].map((k) => prefix + k).sort(),
        );
      }
    },
  );

  it('@CacheInvalidate is applied once Redis is back, for every instance', async () => {
    names.set('u1', 'Ada');
    const a = await boot();
    expect(await a.profiles.get('u1')).toBe('Ada');
    expect(await a.profiles.get('u1')).toBe('Ada');
    expect(a.profiles.loads).toBe(1);

    await whileRedisHangs(a, async () => {
      const r = await within(5_000, () => a.profiles.rename('u1', 'Grace'));
      expect(r.ms).toBeLessThan(1_500);
      // while pending, this instance serves from the source
      expect(await a.profiles.get('u1')).toBe('Grace');
    });

    const b = await settled(a);
    expect(await b.profiles.get('u1')).toBe('Grace');
    expect(await a.profiles.get('u1')).toBe('Grace');
    expect(await raw.exists(`${prefix}profile:u1`)).toBe(1);
  });

  // While a clear is pending every write is deferred as an invalidation;
  // only those that come while the clear is being replayed may repeat it,
  // or writes more often than breakerCooldown would keep it pending for good.
  it('a pending clear settles while the application keeps writing', async () => {
    const a = await boot();
    await whileRedisHangs(a, async () => {
      await a.cache.clear();
    });
    let n = 0;
    await eventually(
      'the clear reaches Redis',
      async () => {
        await a.cache.set(`write:${++n % 5}`, n);
        const info = await a.cache.info().catch(() => undefined);
        return info?.pendingInvalidations === 0;
      },
      3_000,
    );
  });
});
