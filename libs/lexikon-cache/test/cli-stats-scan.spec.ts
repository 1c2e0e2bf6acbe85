import { testRedisUrl } from '../../../test/support/services.js';
import {
  createCacheFixture,
  type CacheFixture,
} from './support/cache-fixture.js';
import { builtCli, jsonOf, runCli } from './support/cli-runner.js';

interface GroupJson {
  group: string;
  keys: number;
  hashed: number;
  ttl: {
    minMs: number;
    maxMs: number;
    none: number;
    buckets: Record<string, number>;
  };
  memory: { sampled: number; sampledBytes: number; estimatedBytes: number };
}

interface StatsJson {
  nodes: number;
  keys: number;
  hashed: number;
  memory: { sampled: number; estimatedBytes: number; samplePerGroup: number };
  groupsOmitted: number;
  groups: GroupJson[];
}

interface ScanJson {
  count: number;
  truncated: boolean;
  keys: { key: string; hashed: boolean; ttlMs: number; bytes: number }[];
}

describe('lexikon-cache stats and scan', () => {
  let cli: string;
  let f: CacheFixture;

  const run = (...args: string[]) =>
    runCli(cli, ['--prefix', f.prefix, ...args], { REDIS_URL: testRedisUrl() });

  beforeAll(async () => {
    cli = await builtCli();
    f = await createCacheFixture('redis', 'cli-stats');
    await f.cache.mset(
      Array.from({ length: 20 }, (_, i) => [`user:${i}`, { i }] as const),
      { ttl: '5m' },
    );
    for (let i = 0; i < 5; i++) {
      await f.cache.set(`team:${i}`, { i }, { ttl: '2h', tags: ['org:1'] });
    }
    await f.cache.set(`doc:${'z'.repeat(300)}`, 'long', { ttl: '30s' });
    await f.cache.increment('visits', 1, { ttl: '2d' });
  }, 120_000);

  afterAll(async () => {
    await f?.close();
  });

  it('stats counts keys, samples memory and spreads TTLs per namespace, tag versions apart', async () => {
    const r = await run('stats', '--json', '--sample', '3');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(''); // no progress bar without a terminal
    const s = jsonOf<StatsJson>(r);
    const group = (name: string) => s.groups.find((g) => g.group === name);
    // 20 users, 5 teams, 1 hashed doc, 1 counter; org:1 and the tag
    // sequence; the run ids the cache was last cleared for (under {l1})
    expect(s.keys).toBe(30);
    expect(s.hashed).toBe(1);
    expect(s.nodes).toBe(1);
    expect(group('user')).toMatchObject({
      keys: 20,
      ttl: { none: 0, buckets: { '<10m': 20 } },
      memory: { sampled: 3 },
    });
    expect(group('user')!.memory.estimatedBytes).toBeGreaterThan(
      group('user')!.memory.sampledBytes,
    );
    expect(group('team')).toMatchObject({
      keys: 5,
      ttl: { buckets: { '<1d': 5 } },
    });
    expect(group('{tags}')).toMatchObject({ keys: 2 });
    expect(group('{l1}')).toMatchObject({ keys: 1 });
    expect(group('doc')).toMatchObject({
      keys: 1,
      hashed: 1,
      ttl: { buckets: { '<1m': 1 } },
    });
    expect(group('visits')).toMatchObject({
      keys: 1,
      ttl: { buckets: { '>=1d': 1 } },
    });
    expect(s.memory.sampled).toBe(3 + 3 + 2 + 1 + 1 + 1);
  });

  it('stats sums up the namespaces beyond --top', async () => {
    const s = jsonOf<StatsJson>(await run('stats', '--json', '--top', '2'));
    expect(s.groups.map((g) => g.group)).toEqual(['user', 'team', '(other)']);
    expect(s.groupsOmitted).toBe(4);
    expect(s.groups[2].keys).toBe(5);
  });

  it('scan lists matching keys with TTL and size, hashed ones too', async () => {
    const r = await run('scan', 'user:*', '--json');
    expect(r.code).toBe(0);
    const s = jsonOf<ScanJson>(r);
    expect(s.count).toBe(20);
    expect(s.truncated).toBe(false);
    expect(new Set(s.keys.map((k) => k.key)).size).toBe(20);
    for (const k of s.keys) {
      expect(k.ttlMs).toBeGreaterThan(0);
      expect(k.ttlMs).toBeLessThanOrEqual(300_000);
      expect(k.bytes).toBeGreaterThan(0);
    }
    const docs = jsonOf<ScanJson>(await run('scan', 'doc:*', '--json'));
    expect(docs.keys).toEqual([expect.objectContaining({ hashed: true })]);
  });

  it('scan stops at --limit and exits 1 when nothing matches', async () => {
    const s = jsonOf<ScanJson>(
      await run('scan', 'user:*', '--json', '--limit', '5'),
    );
    expect(s).toMatchObject({ count: 5, truncated: true });
    // `?` is no wildcard: it matches itself only
    expect((await run('scan', 'user:?')).code).toBe(1);
    const human = await run('scan', 'team:*');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('team:4');
  });
});
