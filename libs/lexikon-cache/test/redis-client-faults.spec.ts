import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { eventually, within } from './support/bounded.js';

/** The module's command timeout, and what a call may take at most: the timeout plus generous slack. */
const TIMEOUT = '200ms';
const BOUND_MS = 1_500;

describe('an application-provided ioredis client when Redis fails', () => {
  let server: RedisServerProcess;
  let client: Redis;
  let module: TestingModule | undefined;
  let cache: CacheService;

  beforeEach(async () => {
    server = await RedisServerProcess.start();
    // ioredis defaults: offline queue on, 20 retries per request, no command timeout
    client = new Redis(server.url);
    expect(await client.ping()).toBe('PONG');
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          client,
          keyPrefix: uniquePrefix('client-faults'),
          commandTimeout: TIMEOUT,
          // every call below really waits on the client, none is cut short by the breaker
          breakerThreshold: 1_000,
          interceptor: false,
        }),
      ],
    }).compile();
    await module.init();
    cache = module.get(CacheService);
    await cache.set('k', 'before');
  });

  afterEach(async () => {
    await module?.close();
    client.disconnect();
    await stopAllRedisServers();
  });

  async function closeModule(): Promise<void> {
    await module?.close();
    module = undefined;
  }

  async function expectBoundedCalls(): Promise<void> {
    const got = await within(5_000, () => cache.get('k'));
    expect(got.value).toBeUndefined();
    expect(got.ms).toBeLessThan(BOUND_MS);

    let loads = 0;
    const loaded = await within(5_000, () =>
      cache.getOrSet('g', () => `loaded ${++loads}`),
    );
    expect(loaded.value).toBe('loaded 1');
    expect(loaded.ms).toBeLessThan(BOUND_MS);

    const written = await within(5_000, () => cache.set('k', 'during'));
    expect(written.value).toBe(false);
    expect(written.ms).toBeLessThan(BOUND_MS);
  }

  it('gets the command timeout while Redis hangs, and is left open', async () => {
    server.pause();
    try {
      await expectBoundedCalls();
    } finally {
      server.resume();
    }
    await closeModule();
    expect(client.status).toBe('ready');
    expect(await client.ping()).toBe('PONG');
  });

  it('gets the command timeout while Redis refuses connections, and is left to reconnect', async () => {
    await server.stop();
    await eventually(
      'the client sees the connection close',
      () => client.status !== 'ready',
    );
    await expectBoundedCalls();
    await closeModule();
    expect(client.status).not.toBe('end');
    await server.restart();
    await eventually('the client reconnects', () => client.status === 'ready');
    expect(await client.ping()).toBe('PONG');
  });
});
