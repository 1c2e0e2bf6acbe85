import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import {
  startSentinel,
  type StartedSentinel,
} from '../../../test/support/redis-sentinel.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { eventually } from './support/bounded.js';

const MASTER_NAME = 'lexikon-master';

describe('Redis Sentinel', () => {
  let master: RedisServerProcess;
  let sentinel: StartedSentinel;
  let module: TestingModule;

  beforeAll(async () => {
    master = await RedisServerProcess.start();
    sentinel = await startSentinel(master, MASTER_NAME, { downAfterMs: 2000 });
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: {
            sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
            name: MASTER_NAME,
          },
          keyPrefix: uniquePrefix('sentinel'),
          interceptor: false,
        }),
      ],
    }).compile();
    await module.init();
  });

  afterAll(async () => {
    await module?.close();
    sentinel?.child.kill('SIGTERM');
    await stopAllRedisServers();
  });

  it('finds the master through the sentinel and caches there', async () => {
    const cache = module.get(CacheService);
    expect(await cache.set('k', { via: 'sentinel' })).toBe(true);
    expect(await cache.get('k')).toEqual({ via: 'sentinel' });
    expect(await cache.getOrSet('g', () => 42)).toBe(42);
    const info = await cache.info();
    expect(info.mode).toBe('sentinel');
    const direct = new Redis(master.url);
    try {
      expect(await direct.dbsize()).toBeGreaterThanOrEqual(2);
    } finally {
      direct.disconnect();
    }
  });

  // the sentinel connections ioredis opens to detect a failover are not
  // closed by QUIT: left open, they would keep the process alive and
  // reconnect to the sentinels for ever after the application has closed
  it('leaves no connection to the sentinel open once the module has closed', async () => {
    const probe = new Redis({ port: sentinel.port, host: '127.0.0.1' });
    const others = async () =>
      String(await probe.call('CLIENT', 'LIST'))
        .trim()
        .split('\n')
        .filter((line) => !line.includes(`id=${String(probeId)} `)).length;
    const probeId = await probe.call('CLIENT', 'ID');
    try {
      const baseline = await others();
      const second = await Test.createTestingModule({
        imports: [
          LexikonCacheModule.forRoot({
            redis: {
              sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
              name: MASTER_NAME,
            },
            keyPrefix: uniquePrefix('sentinel-close'),
            interceptor: false,
          }),
        ],
      }).compile();
      await second.init();
      const cache = second.get(CacheService);
      expect(await cache.set('k', 1)).toBe(true);
      await eventually(
        'a failover subscription on the sentinel',
        async () => (await others()) > baseline,
      );
      await second.close();
      await eventually(
        'every connection of the closed module gone',
        async () => (await others()) === baseline,
      );
    } finally {
      probe.disconnect();
    }
  });
});
