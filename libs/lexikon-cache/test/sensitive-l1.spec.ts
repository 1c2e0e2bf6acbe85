import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  Cacheable,
  CachePut,
  CacheService,
  LexikonCacheModule,
} from '@lexikon/cache';
import { fullKey } from '../src/core/keys/cache-keys.js';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';

@Injectable()
class ProfileService {
  loads = 0;

  @Cacheable({ key: 'profile:{0}', sensitive: true, ttl: '1h' })
  async profile(id: string) {
    this.loads++;
    return { id, email: 'ada@example.com' };
  }

  @CachePut({ key: 'profile:{0}', sensitive: true })
  async update(id: string) {
    return { id, email: 'new@example.com' };
  }

  @Cacheable({ key: 'public:{0}' })
  async publicCard(id: string) {
    this.loads++;
    return { id };
  }
}

/**
 * A sensitive entry lives in Redis only: with the in-process tier on, it is
 * never kept in process memory, so deleting it in Redis is enough to stop
 * every instance serving it.
 */
describe('a sensitive entry with the in-process tier on (real Redis)', () => {
  const prefix = uniquePrefix('sensitive-l1');
  let module: TestingModule;
  let profiles: ProfileService;
  let cache: CacheService;
  let raw: Redis;

  beforeAll(async () => {
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: testRedisUrl() },
          keyPrefix: prefix,
          interceptor: false,
          l1: true,
        }),
      ],
      providers: [ProfileService],
    }).compile();
    await module.init();
    profiles = module.get(ProfileService);
    cache = module.get(CacheService);
    raw = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await module?.close();
    await deleteKeysWithPrefix(raw, prefix);
    raw.disconnect();
  });

  const l1Entries = () => cache.stats().l1?.entries;

  beforeEach(() => {
    profiles.loads = 0;
  });

  it('keeps an ordinary entry in the tier (the tier is on)', async () => {
    const before = l1Entries();
    await profiles.publicCard('1');
    await profiles.publicCard('1');
    expect(profiles.loads).toBe(1);
    expect(l1Entries()).toBe((before ?? 0) + 1);
  });

  it('answers a @Cacheable hit from Redis, never from process memory', async () => {
    const before = l1Entries();
    await profiles.profile('1');
    expect(await profiles.profile('1')).toEqual({
      id: '1',
      email: 'ada@example.com',
    });
    expect(profiles.loads).toBe(1);
    expect(l1Entries()).toBe(before);
    expect(await raw.del(fullKey(prefix, 'profile:1'))).toBe(1);
    await profiles.profile('1');
    expect(profiles.loads).toBe(2);
    expect(l1Entries()).toBe(before);
  });

  it('keeps a @CachePut result out of process memory too', async () => {
    const before = l1Entries();
    await profiles.update('2');
    expect(await profiles.profile('2')).toEqual({
      id: '2',
      email: 'new@example.com',
    });
    expect(profiles.loads).toBe(0);
    expect(l1Entries()).toBe(before);
    expect(await raw.del(fullKey(prefix, 'profile:2'))).toBe(1);
    expect(await profiles.profile('2')).toEqual({
      id: '2',
      email: 'ada@example.com',
    });
    expect(profiles.loads).toBe(1);
    expect(l1Entries()).toBe(before);
  });
});
