import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import { findFreePort } from '../../../test/support/free-port.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import {
  registerChildProcess,
  testRunDir,
} from '../../../test/support/test-run.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

const MASTER_NAME = 'lexikon-master';

/** A Redis Sentinel watching `master`, from the redis-server binary. */
async function startSentinel(
  master: RedisServerProcess,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await findFreePort();
  const dir = mkdtempSync(join(testRunDir(), 'sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} ${master.host} ${master.port} 1`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
      '',
    ].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel'], {
    stdio: 'ignore',
  });
  if (child.pid) registerChildProcess(child.pid, 'redis-sentinel');
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => 50,
  });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if (probe.status === 'wait') await probe.connect();
        const addr = (await probe.call(
          'SENTINEL',
          'get-master-addr-by-name',
          MASTER_NAME,
        )) as string[] | null;
        if (addr?.[1] === String(master.port)) return { port, child };
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('sentinel did not come up');
  } finally {
    probe.disconnect();
  }
}

describe('Redis Sentinel', () => {
  let master: RedisServerProcess;
  let sentinel: { port: number; child: ChildProcess };
  let module: TestingModule;

  beforeAll(async () => {
    master = await RedisServerProcess.start();
    sentinel = await startSentinel(master);
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
});
