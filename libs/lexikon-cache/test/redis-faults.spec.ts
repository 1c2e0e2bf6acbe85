import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  CacheService,
  CacheUnavailableError,
  LexikonCacheModule,
} from '@lexikon/cache';
import {
  FaultProxy,
  closeAllFaultProxies,
} from '../../../test/support/fault-proxy.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

const TIMEOUT = 200;
/** Generous upper bound for one call against a dead Redis: the timeout plus scheduling slack. */
const BOUND = TIMEOUT + 800;

async function timed<T>(
  call: () => Promise<T>,
): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  const value = await call();
  return { value, ms: Date.now() - start };
}

async function eventually(
  check: () => Promise<boolean>,
  tries = 100,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('never recovered');
}

@Injectable()
class Profiles {
  readonly names = new Map<string, string>();
  loads = 0;

  @Cacheable({ key: 'profile:{id}' })
  async get(id: string): Promise<string | undefined> {
    this.loads++;
    return this.names.get(id);
  }

  @CacheInvalidate('profile:{id}')
  async rename(id: string, name: string): Promise<void> {
    this.names.set(id, name);
  }
}

async function boot(url: string): Promise<TestingModule> {
  const module = await Test.createTestingModule({
    imports: [
      LexikonCacheModule.forRoot({
        redis: { url },
        keyPrefix: uniquePrefix('faults'),
        commandTimeout: TIMEOUT,
        breakerThreshold: 3,
        breakerCooldown: 200,
        connectWait: 1000,
        interceptor: false,
      }),
    ],
    providers: [Profiles],
  }).compile();
  await module.init();
  return module;
}

describe('CacheService when Redis fails', () => {
  let server: RedisServerProcess;
  let module: TestingModule;
  let cache: CacheService;

  beforeEach(async () => {
    server = await RedisServerProcess.start();
    module = await boot(server.url);
    cache = module.get(CacheService);
  });

  afterEach(async () => {
    await module.close();
    await stopAllRedisServers();
    await closeAllFaultProxies();
  });

  async function expectFailOpen(): Promise<void> {
    let loads = 0;
    const checks: [string, () => Promise<unknown>, unknown][] = [
      ['get', () => cache.get('k'), undefined],
      ['set', () => cache.set('k', 1), false],
      ['mget', () => cache.mget(['a', 'b']), [undefined, undefined]],
      ['mset', () => cache.mset({ a: 1 }), false],
      ['delete', () => cache.delete('k'), 0],
      ['exists', () => cache.exists('k'), false],
      ['increment', () => cache.increment('n'), undefined],
      ['deletePattern', () => cache.deletePattern('x*'), 0],
      [
        'getOrSet',
        () => cache.getOrSet('k', () => `loaded ${++loads}`),
        expect.stringMatching(/^loaded/),
      ],
      ['healthCheck', () => cache.healthCheck(TIMEOUT), false],
    ];
    for (const [name, call, expected] of checks) {
      const { value, ms } = await timed(call);
      expect({ name, value }).toEqual({ name, value: expected });
      expect({ name, fast: ms < BOUND }).toEqual({ name, fast: true });
    }
    const [batch] = await cache.batch((b) => b.get('k'));
    expect(batch.ok).toBe(false);
    await expect(cache.info()).rejects.toBeInstanceOf(CacheUnavailableError);
  }

  it('serves misses and loader values while Redis is stopped, then recovers by itself', async () => {
    await cache.set('k', 'before');
    expect(await cache.get('k')).toBe('before');
    await server.stop();
    await expectFailOpen();
    await server.restart();
    // a restarted Redis is cleared once it is seen (a new run id): what was
    // written before that check may go with it, so write until it stays
    await eventually(
      async () =>
        (await cache.set('k', 'after')) === true &&
        (await cache.get('k')) === 'after',
    );
    expect(await cache.getOrSet('g', () => 'fresh')).toBe('fresh');
    expect(await cache.healthCheck()).toBe(true);
  });

  it('bounds every call by the command timeout while Redis hangs, then recovers', async () => {
    await cache.set('k', 'before');
    server.pause();
    try {
      await expectFailOpen();
    } finally {
      server.resume();
    }
    // a restarted Redis is cleared once it is seen (a new run id): what was
    // written before that check may go with it, so write until it stays
    await eventually(
      async () =>
        (await cache.set('k', 'after')) === true &&
        (await cache.get('k')) === 'after',
    );
  });

  it('never serves an entry whose invalidation could not reach Redis', async () => {
    const proxy = await FaultProxy.start({
      host: server.host,
      port: server.port,
    });
    const app = await boot(proxy.url());
    try {
      const profiles = app.get(Profiles);
      profiles.names.set('u1', 'Ada');
      expect(await profiles.get('u1')).toBe('Ada');
      expect(await profiles.get('u1')).toBe('Ada');
      expect(profiles.loads).toBe(1);

      await proxy.setMode('stall');
      await profiles.rename('u1', 'Grace');
      // while the invalidation is pending, reads go to the source
      expect(await profiles.get('u1')).toBe('Grace');

      await proxy.setMode('pass');
      await eventually(
        async () => (await app.get(CacheService).set('probe', 1)) === true,
      );
      const loadsBefore = profiles.loads;
      expect(await profiles.get('u1')).toBe('Grace');
      expect(await profiles.get('u1')).toBe('Grace');
      expect(profiles.loads).toBe(loadsBefore + 1);
    } finally {
      await app.close();
    }
  });

  it('reads a corrupt entry as a miss and deletes it', async () => {
    const raw = new Redis(server.url);
    try {
      const prefix = (
        module.get(CacheService) as unknown as { engine: { prefix: string } }
      ).engine.prefix;
      for (const garbage of [
        'garbage',
        'E0\n{not json',
        'E1\nbroken',
        'H?"x"\nbody',
        '~T{"$":"?"}',
      ]) {
        await raw.set(`${prefix}bad`, garbage);
        expect(await cache.get('bad')).toBeUndefined();
        expect(await raw.exists(`${prefix}bad`)).toBe(0);
      }
      await raw.set(`${prefix}bad`, 'E0\n{not json');
      expect(await cache.getOrSet('bad', () => 'reloaded')).toBe('reloaded');
      expect(await cache.get('bad')).toBe('reloaded');
    } finally {
      raw.disconnect();
    }
  });
});
