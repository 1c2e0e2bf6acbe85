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
import { builtCli, jsonOf, runCli } from './support/cli-runner.js';

const MASTER = 'cli-master';

/** A sentinel watching `master`, once it names the master's address. */
async function startSentinel(master: RedisServerProcess) {
  const port = await findFreePort();
  const dir = mkdtempSync(join(testRunDir(), 'cli-sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    `port ${port}\nbind 127.0.0.1\ndir ${dir}\nsentinel monitor ${MASTER} ${master.host} ${master.port} 1\n`,
  );
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], {
    stdio: 'ignore',
  });
  if (child.pid) registerChildProcess(child.pid, 'redis-sentinel');
  const probe = new Redis({ port, lazyConnect: true, retryStrategy: () => 50 });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if (probe.status === 'wait') await probe.connect();
        const addr = (await probe.call(
          'SENTINEL',
          'get-master-addr-by-name',
          MASTER,
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

describe('lexikon-cache through Sentinel', () => {
  let cli: string;
  let sentinel: { port: number; child: ChildProcess };
  let module: TestingModule;
  const prefix = uniquePrefix('cli-sentinel');

  beforeAll(async () => {
    cli = await builtCli();
    sentinel = await startSentinel(await RedisServerProcess.start());
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: {
            sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
            name: MASTER,
          },
          keyPrefix: prefix,
          interceptor: false,
        }),
      ],
    }).compile();
    await module.init();
    await module.get(CacheService).set('k:1', { via: 'sentinel' });
  }, 120_000);

  afterAll(async () => {
    await module?.close();
    sentinel?.child.kill('SIGTERM');
    await stopAllRedisServers();
  });

  it('finds the master through the sentinels', async () => {
    const args = [
      '--sentinels',
      `127.0.0.1:${sentinel.port}`,
      '--name',
      MASTER,
      '--prefix',
      prefix,
      '--json',
    ];
    const got = await runCli(cli, [...args, 'get', 'k:1']);
    expect(got.code).toBe(0);
    expect(jsonOf<{ value: unknown }>(got).value).toEqual({ via: 'sentinel' });
    const scanned = await runCli(cli, [...args, 'scan', 'k:*']);
    expect(jsonOf<{ count: number }>(scanned).count).toBe(1);
  });
});
