import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { eventually, within } from './support/bounded.js';

/** Far less than `lockWait` ('5s'): the second instance did not wait for a lease nobody holds. */
const AT_ONCE_MS = 2_000;

describe('a leased read that timed out on the client but ran on Redis later', () => {
  let server: RedisServerProcess;
  let raw: Redis;
  const modules: TestingModule[] = [];

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    raw = new Redis(server.url);
  });

  afterEach(async () => {
    await Promise.all(modules.splice(0).map((m) => m.close()));
  });

  afterAll(async () => {
    raw.disconnect();
    await stopAllRedisServers();
  });

  async function boot(
    prefix: string,
    options: LexikonCacheModuleOptions,
  ): Promise<CacheService> {
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: server.url },
          keyPrefix: prefix,
          commandTimeout: '200ms',
          lockWait: '5s',
          // a lease that lapsed on its own would hide one left behind
          leaseTtl: '30s',
          breakerCooldown: '200ms',
          interceptor: false,
          ...options,
        }),
      ],
    }).compile();
    await module.init();
    modules.push(module);
    return module.get(CacheService);
  }

  /**
   * Instance a reads `report` while Redis is paused: its read times out and
   * it loads by itself; Redis runs the read (taking a lease) once resumed.
   * Instance b must then load at once, and an entry, not a lease, remain.
   */
  async function leasedReadTimesOut(
    options: LexikonCacheModuleOptions,
    tags: string[] | undefined,
    coldScripts = false,
  ): Promise<void> {
    const prefix = uniquePrefix('lease-release');
    const a = await boot(prefix, options);
    const b = await boot(prefix, {});
    // the scripts are cached on Redis, as in any running application
    await a.getOrSet('warm', async () => 1, { tags });
    await a.getOrSet('warm-plain', async () => 1);
    if (coldScripts) await raw.script('FLUSH');
    let aLoads = 0;
    let bLoads = 0;
    let ping: Promise<string>;

    server.pause();
    try {
      const first = await within(5_000, () =>
        a.getOrSet('report', async () => `a ${++aLoads}`, { tags }),
      );
      expect(first.value).toBe('a 1');
      // queued behind instance a's read: answered once Redis has run it
      ping = raw.ping();
    } finally {
      server.resume();
    }
    expect(await ping).toBe('PONG');

    const second = await within(10_000, () =>
      b.getOrSet('report', async () => `b ${++bLoads}`, { tags }),
    );
    expect(second.value).toBe('b 1');
    expect(bLoads).toBe(1);
    expect(second.ms).toBeLessThan(AT_ONCE_MS);

    const key = `${prefix}report`;
    await eventually(
      'the entry is filled, not a lease',
      async () => (await raw.get(key))?.startsWith('E') === true,
    );
    await eventually(
      'instance a reads the entry',
      async () => (await a.get('report')) === 'b 1',
    );
    expect(aLoads).toBe(1);
  }

  it('leaves no lease nobody holds: a tagged key (one script)', async () => {
    await leasedReadTimesOut({}, ['reports']);
  });

  it('leaves no lease nobody holds: a tagged key whose script Redis no longer has', async () => {
    await leasedReadTimesOut({}, ['reports'], true);
  });

  it('leaves no lease nobody holds: an untagged key, the open breaker holding the release back', async () => {
    await leasedReadTimesOut({ breakerThreshold: 1 }, undefined);
  });

  // An untagged key is read with a GET first and the lease script second:
  // the release must wait until the read has really ended, or it would
  // reach Redis before the script takes the lease.
  it('leaves no lease nobody holds: an untagged key (a GET, then the lease script)', async () => {
    await leasedReadTimesOut({}, undefined);
  }, 20_000);
});
