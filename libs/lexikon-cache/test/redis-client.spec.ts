import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';

describe('an application-provided ioredis client', () => {
  const prefix = uniquePrefix('client');
  let client: Redis;

  beforeAll(() => {
    client = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await deleteKeysWithPrefix(client, prefix);
    client.disconnect();
  });

  async function boot() {
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          client,
          keyPrefix: prefix,
          interceptor: false,
        }),
      ],
    }).compile();
    await module.init();
    return module;
  }

  it('is used as is, and not closed with the application', async () => {
    const module = await boot();
    await module.get(CacheService).set('k', 'v');
    await module.close();
    expect(client.status).toBe('ready');
    expect(await client.get(`${prefix}k`)).toBe('E0\n"v"');
  });

  it('costs one command per read, write or invalidation, tags included', async () => {
    await client.quit();
    client = new Redis(testRedisUrl());
    await new Promise((resolve) => client.once('ready', resolve));
    const module = await boot();
    const cache = module.get(CacheService);
    const sent = jest.spyOn(client, 'sendCommand');
    const commandsFor = async (call: () => Promise<unknown>) => {
      await call(); // warm: scripts loaded, tags created
      sent.mockClear();
      await call();
      return sent.mock.calls.length;
    };
    try {
      await cache.set('tagged', { a: 1 }, { tags: ['t1', 't2'] });
      expect(await commandsFor(() => cache.get('tagged'))).toBe(1);
      expect(
        await commandsFor(() =>
          cache.getOrSet('tagged-load', () => 1, { tags: ['t1', 't2'] }),
        ),
      ).toBe(1);
      // a plain entry is read with a GET, no script
      expect(
        await commandsFor(() => cache.getOrSet('plain-load', () => 1)),
      ).toBe(1);
      expect(sent.mock.calls[0]?.[0]).toMatchObject({ name: 'get' });
      expect(
        await commandsFor(() => cache.mget(['a', 'b', 'c', 'tagged'])),
      ).toBe(1);
      expect(await commandsFor(() => cache.mset({ a: 1, b: 2, c: 3 }))).toBe(1);
      expect(
        await commandsFor(() => cache.set('x', 1, { tags: ['t1', 't2'] })),
      ).toBe(1);
      expect(
        await commandsFor(() => cache.invalidateTags(['t1', 't2', 't3'])),
      ).toBe(1);
      expect(await commandsFor(() => cache.increment('n', 1))).toBe(1);
    } finally {
      sent.mockRestore();
      await module.close();
    }
  });
});

describe('connection settings', () => {
  it('never prints a password from the URL', async () => {
    const logged: string[] = [];
    const spies = (['log', 'warn', 'error', 'debug'] as const).map((level) =>
      jest
        .spyOn(Logger.prototype, level)
        .mockImplementation((message: unknown) => {
          logged.push(String(message));
        }),
    );
    const url = new URL(testRedisUrl());
    url.username = 'default';
    url.password = 's3cret-p4ss';
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: url.toString() },
          keyPrefix: uniquePrefix('secret'),
          interceptor: false,
          connectWait: 500,
        }),
      ],
    }).compile();
    try {
      await module.init();
      await module.get(CacheService).get('k');
    } finally {
      await module.close();
      spies.forEach((s) => s.mockRestore());
    }
    expect(logged.some((m) => m.includes('redis://default:***@'))).toBe(true);
    expect(logged.join('\n')).not.toContain('s3cret-p4ss');
  });

  it('is configured asynchronously with forRootAsync', async () => {
    const prefix = uniquePrefix('async');
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRootAsync({
          useFactory: async () => ({
            redis: { url: testRedisUrl() },
            keyPrefix: prefix,
            defaultTtl: '120s',
          }),
        }),
      ],
    }).compile();
    await module.init();
    const raw = new Redis(testRedisUrl());
    try {
      await module.get(CacheService).set('k', 1);
      const ttl = await raw.ttl(`${prefix}k`);
      expect(ttl).toBeGreaterThan(100);
      expect(ttl).toBeLessThanOrEqual(120);
    } finally {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
      await module.close();
    }
  });
});

describe('TTL jitter', () => {
  it('spreads the expiry of entries filled together, never past their TTL', async () => {
    const prefix = uniquePrefix('jitter');
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: testRedisUrl() },
          keyPrefix: prefix,
          ttlJitter: 0.5,
          interceptor: false,
        }),
      ],
    }).compile();
    await module.init();
    const raw = new Redis(testRedisUrl());
    try {
      const cache = module.get(CacheService);
      const keys = Array.from({ length: 20 }, (_, i) => `j:${i}`);
      await Promise.all(
        keys.map((k) => cache.getOrSet(k, () => k, { ttl: '100s' })),
      );
      const ttls = await Promise.all(
        keys.map((k) => raw.pttl(`${prefix}${k}`)),
      );
      for (const ttl of ttls) {
        expect(ttl).toBeGreaterThan(49_000);
        expect(ttl).toBeLessThanOrEqual(100_000);
      }
      expect(
        new Set(ttls.map((t) => Math.round(t / 1000))).size,
      ).toBeGreaterThan(5);
    } finally {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
      await module.close();
    }
  });
});
