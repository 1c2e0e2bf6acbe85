import { Test, type TestingModule } from '@nestjs/testing';
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
import { builtCli, jsonOf, runCli } from './support/cli-runner.js';

const MASTER = 'cli-master';

describe('lexikon-cache through Sentinel', () => {
  let cli: string;
  let sentinel: StartedSentinel;
  let module: TestingModule;
  const prefix = uniquePrefix('cli-sentinel');

  beforeAll(async () => {
    cli = await builtCli();
    sentinel = await startSentinel(await RedisServerProcess.start(), MASTER);
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
