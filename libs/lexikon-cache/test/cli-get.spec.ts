import { testRedisUrl } from '../../../test/support/services.js';
import {
  createCacheFixture,
  type CacheFixture,
} from './support/cache-fixture.js';
import { builtCli, jsonOf, runCli } from './support/cli-runner.js';

interface TagJson {
  tag: string;
  stamped: string;
  current: string | null;
  isCurrent: boolean;
}

interface GetJson {
  key: string;
  fullKey: string;
  hashed: boolean;
  found: boolean;
  kind?: string;
  ttlMs?: number;
  bytes?: number;
  memoryBytes?: number;
  fresh?: boolean;
  tags?: TagJson[];
  value?: unknown;
  token?: string;
}

describe('lexikon-cache get', () => {
  let cli: string;
  let f: CacheFixture;
  const longKey = `doc:${'x'.repeat(300)}`;

  const get = (key: string, ...extra: string[]) =>
    runCli(cli, ['get', key, '--json', '--prefix', f.prefix, ...extra], {
      REDIS_URL: testRedisUrl(),
    });

  beforeAll(async () => {
    cli = await builtCli();
    f = await createCacheFixture('redis', 'cli-get');
    await f.cache.set(
      'user:1',
      {
        name: 'Ada',
        born: new Date('1815-12-10T00:00:00Z'),
        big: 12n,
        m: new Map([['a', 1]]),
      },
      { ttl: '5m', tags: ['team:7'] },
    );
    await f.cache.set(longKey, [1, 2, 3], { ttl: '10m' });
    await f.cache.increment('visits', 3, { ttl: '1h' });
  }, 120_000);

  afterAll(async () => {
    await f?.close();
  });

  it('shows a tagged entry: decoded value, TTL, size and current tags', async () => {
    const r = await get('user:1');
    expect(r.code).toBe(0);
    const j = jsonOf<GetJson>(r);
    expect(j).toMatchObject({
      key: 'user:1',
      fullKey: `${f.prefix}user:1`,
      found: true,
      kind: 'entry',
      hashed: false,
      fresh: true,
      value: {
        name: 'Ada',
        born: { $Date: '1815-12-10T00:00:00.000Z' },
        big: { $BigInt: '12' },
        m: { $Map: [['a', 1]] },
      },
    });
    // writes shorten a TTL by up to ttlJitter (5 %) at random
    expect(j.ttlMs).toBeGreaterThan(280_000);
    expect(j.ttlMs).toBeLessThanOrEqual(300_000);
    expect(j.bytes).toBe(await f.raw!.strlen(`${f.prefix}user:1`));
    expect(j.memoryBytes).toBeGreaterThan(j.bytes!);
    expect(j.tags).toHaveLength(1);
    expect(j.tags![0]).toMatchObject({ tag: 'team:7', isCurrent: true });
    expect(j.tags![0].current).toBe(j.tags![0].stamped);
  });

  it('reports a tag bumped since the entry was stamped, which the library then misses', async () => {
    await f.cache.set('user:2', { n: 2 }, { tags: ['team:8'] });
    await f.cache.invalidateTags(['team:8']);
    expect(await f.cache.get('user:2')).toBeUndefined();
    const r = await get('user:2');
    expect(r.code).toBe(0);
    const j = jsonOf<GetJson>(r);
    expect(j.fresh).toBe(false);
    expect(j.tags![0].isCurrent).toBe(false);
    expect(j.tags![0].current).not.toBe(j.tags![0].stamped);
  });

  it('tells an entry outdated by a soft invalidation from a stale one', async () => {
    await f.cache.set('user:3', { n: 3 }, { tags: ['team:9'] });
    await f.cache.invalidateTags(['team:9'], { soft: true });
    const soft = await runCli(cli, ['get', 'user:3', '--prefix', f.prefix], {
      REDIS_URL: testRedisUrl(),
    });
    expect(soft.code).toBe(0);
    expect(soft.stdout).toContain('outdated by a soft invalidation');
    await f.cache.invalidateTags(['team:9']);
    const hard = await runCli(cli, ['get', 'user:3', '--prefix', f.prefix], {
      REDIS_URL: testRedisUrl(),
    });
    expect(hard.stdout).toContain('stale: a tag moved on');
  });

  it('reads an over-long key through its hashed name', async () => {
    const j = jsonOf<GetJson>(await get(longKey));
    expect(j).toMatchObject({ found: true, hashed: true, value: [1, 2, 3] });
    expect(Buffer.byteLength(j.fullKey)).toBe(257);
  });

  it('reports a counter and a lease as such', async () => {
    expect(jsonOf<GetJson>(await get('visits'))).toMatchObject({
      kind: 'counter',
      value: 3,
    });
    let release!: (v: string) => void;
    const gate = new Promise<string>((r) => (release = r));
    const loading = f.cache.getOrSet('slow', () => gate, { ttl: '1m' });
    for (let i = 0; i < 50 && !(await f.raw!.exists(`${f.prefix}slow`)); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await get('slow');
    release('done');
    expect(await loading).toBe('done');
    expect(r.code).toBe(0);
    const j = jsonOf<GetJson>(r);
    expect(j.kind).toBe('lease');
    expect(typeof j.token).toBe('string');
    expect(j.ttlMs).toBeGreaterThan(0);
  });

  it('shows compressed entries inflated, with and without a dictionary', async () => {
    const doc = (n: number) => ({
      title: `document ${n} of the glossary`,
      body: 'a definition that documents of this namespace share, word for word',
    });
    const dictionary = JSON.stringify([doc(1), doc(2), doc(3)]);
    const z = await createCacheFixture('redis', 'cli-get-z', {
      compression: {
        threshold: 0,
        dictionaryThreshold: 0,
        dictionaries: { doc: dictionary },
      },
    });
    try {
      const big = { rows: Array.from({ length: 50 }, (_, i) => `row ${i}`) };
      await z.cache.set('big:1', big);
      await z.cache.set('doc:1', doc(4));
      const zget = (key: string) =>
        runCli(cli, ['get', key, '--json', '--prefix', z.prefix], {
          REDIS_URL: testRedisUrl(),
        });
      const plain = jsonOf<GetJson & { compression?: string }>(
        await zget('big:1'),
      );
      expect(plain).toMatchObject({
        kind: 'entry',
        value: big,
        compression: 'deflate-raw',
      });
      const withDict = jsonOf<GetJson & { compression?: string }>(
        await zget('doc:1'),
      );
      expect(withDict.kind).toBe('entry');
      expect(withDict.value).toEqual(doc(4));
      expect(withDict.compression).toMatch(
        /^deflate-raw with dictionary [0-9a-f]{8}$/,
      );
      // without its dictionary the entry cannot be read: reported, not deleted
      for (const k of await z.raw!.keys(`${z.prefix}{dict}*`))
        await z.raw!.del(k);
      const lost = await zget('doc:1');
      expect(lost.code).toBe(0);
      expect(jsonOf<GetJson & { reason?: string }>(lost)).toMatchObject({
        kind: 'corrupt',
        reason: expect.stringMatching(/dictionary .* is not in Redis/),
      });
      expect(await z.raw!.exists(`${z.prefix}doc:1`)).toBe(1);
    } finally {
      await z.close();
    }
  });

  it('exits 1 for an absent key', async () => {
    const r = await get('nobody:here');
    expect(r.code).toBe(1);
    expect(jsonOf<GetJson>(r)).toMatchObject({ found: false });
  });
});
