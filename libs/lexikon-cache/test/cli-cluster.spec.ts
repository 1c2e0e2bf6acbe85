import { Test, type TestingModule } from '@nestjs/testing';
import { Cluster } from 'ioredis';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import { RedisClusterProcess } from '../../../test/support/redis-cluster.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { builtCli, jsonOf, runCli } from './support/cli-runner.js';

interface ScanJson {
  count: number;
  keys: { fullKey: string }[];
}

describe('lexikon-cache on the 6-node cluster', () => {
  let cli: string;
  let cluster: RedisClusterProcess;
  let module: TestingModule;
  let cache: CacheService;
  let raw: Cluster;
  const prefix = uniquePrefix('cli-cluster');

  const run = (...args: string[]) =>
    runCli(cli, [
      '--cluster',
      cluster.nodes.map((n) => `${n.host}:${n.port}`).join(','),
      '--prefix',
      prefix,
      '--json',
      ...args,
    ]);

  /** Keys of ours on each master, counted there by SCAN. */
  async function keysPerMaster(): Promise<string[][]> {
    return Promise.all(
      raw.nodes('master').map(async (node) => {
        const keys: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(
            cursor,
            'MATCH',
            `${prefix}item:*`,
            'COUNT',
            1000,
          );
          cursor = next;
          keys.push(...batch);
        } while (cursor !== '0');
        return keys;
      }),
    );
  }

  beforeAll(async () => {
    [cli, cluster] = await Promise.all([
      builtCli(),
      RedisClusterProcess.start(),
    ]);
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { clusterNodes: cluster.nodes },
          keyPrefix: prefix,
          interceptor: false,
        }),
      ],
    }).compile();
    await module.init();
    cache = module.get(CacheService);
    raw = new Cluster(cluster.nodes);
    await new Promise((ready) => raw.once('ready', ready));
    await cache.mset(
      Array.from({ length: 60 }, (_, i) => [`item:${i}`, { i }] as const),
    );
    await cache.set('team:1', { name: 'one' }, { tags: ['org:1'] });
  }, 120_000);

  afterAll(async () => {
    raw?.disconnect();
    await module?.close();
    await cluster?.stop();
  });

  it('scan finds the keys of every master', async () => {
    const perMaster = await keysPerMaster();
    expect(perMaster).toHaveLength(3);
    for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
    const r = await run('scan', 'item:*');
    expect(r.code).toBe(0);
    const s = jsonOf<ScanJson>(r);
    expect(s.count).toBe(60);
    expect(s.keys.map((k) => k.fullKey).sort()).toEqual(
      perMaster.flat().sort(),
    );
  });

  it('stats scans every master', async () => {
    const s = jsonOf<{
      nodes: number;
      groups: { group: string; keys: number }[];
    }>(await run('stats'));
    expect(s.nodes).toBe(3);
    expect(s.groups.find((g) => g.group === 'item')?.keys).toBe(60);
    expect(s.groups.find((g) => g.group === 'team')?.keys).toBe(1);
  });

  it('get checks tags on the tags node, and invalidate --tag makes the library miss', async () => {
    const before = jsonOf<{ fresh: boolean; value: unknown }>(
      await run('get', 'team:1'),
    );
    expect(before).toMatchObject({ fresh: true, value: { name: 'one' } });
    expect((await run('invalidate', '--tag', 'org:1')).code).toBe(0);
    expect(await cache.get('team:1')).toBeUndefined();
    const after = jsonOf<{ fresh: boolean }>(await run('get', 'team:1'));
    expect(after.fresh).toBe(false);
  });

  it('invalidate --pattern deletes on every master', async () => {
    const r = await run('invalidate', '--pattern', 'item:*', '--yes');
    expect(r.code).toBe(0);
    expect(jsonOf<{ deleted: number }>(r).deleted).toBe(60);
    expect((await keysPerMaster()).flat()).toEqual([]);
    expect(await cache.get('item:7')).toBeUndefined();
  });
});
