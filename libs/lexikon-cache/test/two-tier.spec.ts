import { Cluster, Redis } from 'ioredis';
import {
  RedisClusterProcess,
  stopAllRedisClusters,
} from '../../../test/support/redis-cluster.js';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import {
  countCommands,
  Rows,
  servingOf,
  tierInstance,
  untilServing,
  type TierInstance,
} from './support/tier-fixture.js';

let cluster: Promise<RedisClusterProcess> | undefined;

afterAll(async () => {
  await stopAllRedisClusters();
});

const deployments: [string, () => Promise<Redis | Cluster>][] = [
  ['one Redis', () => Promise.resolve(new Redis(testRedisUrl()))],
  [
    'the 6-node Redis Cluster',
    async () => {
      cluster ??= RedisClusterProcess.start();
      return new Cluster((await cluster).nodes);
    },
  ],
];

/**
 * The in-process tier with three instances, on one Redis and on the
 * cluster: hits served from process memory make no Redis call, and a write
 * through any API on any instance is seen at once by every instance, from
 * any tier (in the cluster, the instances' clients and buses reach it
 * through different nodes).
 */
describe.each(deployments)('two tiers, three instances on %s', (_, connect) => {
  const prefix = uniquePrefix('l1');
  let rows: Rows;
  let a: TierInstance;
  let b: TierInstance;
  let c: TierInstance;

  beforeEach(async () => {
    rows = new Rows();
    const make = async () =>
      tierInstance(rows, await connect(), { keyPrefix: prefix });
    [a, b, c] = await Promise.all([make(), make(), make()]);
    await untilServing(a, b, c);
  }, 60_000);

  afterEach(async () => {
    await Promise.all([a.close(), b.close(), c.close()]);
    // the cluster is this file's own; the shared Redis is cleaned
    if (a.client instanceof Redis) {
      const raw = new Redis(testRedisUrl());
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
  });

  it('answers a hit from process memory, with no Redis call', async () => {
    rows.values.set('1', 10);
    expect((await b.items.find('1')).v).toBe(10);
    const commands = countCommands(b.client, 'item:1');
    for (let i = 0; i < 5; i++) expect((await b.items.find('1')).v).toBe(10);
    expect(commands.count()).toBe(0);
    expect(b.items.loads).toBe(1);
    // another instance fills its own tier from Redis, without loading
    expect((await c.items.find('1')).v).toBe(10);
    expect(c.items.loads).toBe(0);
  });

  it('keeps an entry out of the tier when the decorator says l1: false', async () => {
    rows.values.set('1', 1);
    await b.items.noL1('1');
    const commands = countCommands(b.client, 'nol1:1');
    await b.items.noL1('1');
    expect(commands.count()).toBeGreaterThan(0);
  });

  async function warm(id: string, read: (x: TierInstance) => Promise<unknown>) {
    for (const x of [a, b, c]) await read(x);
    for (const x of [a, b, c]) await read(x);
  }

  type Write = (x: TierInstance, id: string, v: number) => Promise<unknown>;
  const writes: [
    string,
    Write,
    (x: TierInstance, id: string) => Promise<{ v: number }>,
  ][] = [
    [
      '@CacheInvalidate by key',
      (x, id, v) => x.items.writeKey(id, v),
      (x, id) => x.items.find(id),
    ],
    [
      '@CacheInvalidate by a result tag',
      (x, id, v) => x.items.writeGroup('g', id, v),
      (x, id) => x.items.find(id),
    ],
    [
      '@CacheInvalidate by pattern',
      (x, id, v) => x.items.writePattern(id, v),
      (x, id) => x.items.plain(id),
    ],
    [
      '@CachePut',
      (x, id, v) => x.items.putPlain(id, v),
      (x, id) => x.items.plain(id),
    ],
    [
      'CacheService.delete',
      async (x, id, v) => {
        rows.values.set(id, v);
        await x.cache.delete(`plain:${id}`);
      },
      (x, id) => x.items.plain(id),
    ],
    [
      'CacheService.invalidateTags',
      async (x, id, v) => {
        rows.values.set(id, v);
        await x.cache.invalidateTags(['group:g']);
      },
      (x, id) => x.items.find(id),
    ],
    [
      'CacheService.deletePattern',
      async (x, id, v) => {
        rows.values.set(id, v);
        await x.cache.deletePattern('plain:*');
      },
      (x, id) => x.items.plain(id),
    ],
    [
      'CacheService.clear',
      async (x, id, v) => {
        rows.values.set(id, v);
        await x.cache.clear();
      },
      (x, id) => x.items.plain(id),
    ],
  ];

  it.each(writes)(
    'sees a write through %s at once on every instance',
    async (_name, write, read) => {
      const id = 'w';
      rows.values.set(id, 1);
      await warm(id, (x) => read(x, id));
      for (let round = 2; round <= 4; round++) {
        const writer = [a, b, c][round % 3];
        await write(writer, id, round);
        for (const x of [a, b, c]) expect((await read(x, id)).v).toBe(round);
      }
    },
  );

  it('keeps the tier serving across clear(): its own state is not cleared', async () => {
    rows.values.set('1', 1);
    await warm('1', (x) => x.items.find('1'));
    await a.cache.clear();
    expect([a, b, c].map(servingOf)).toEqual([true, true, true]);
    const raw = a.client;
    expect(await raw.exists(`${prefix}{l1}`)).toBe(1);
  });

  it('leaves the tier on shutdown: writers stop counting it at once', async () => {
    const members = async () =>
      Object.keys(await a.client.hgetall(`${prefix}{l1}`)).filter((f) =>
        f.startsWith('m:'),
      ).length;
    const d = await tierInstance(rows, await connect(), { keyPrefix: prefix });
    await untilServing(d);
    expect(await members()).toBe(4);
    await d.close();
    // not left for its lease to lapse: an invalidation would wait for it
    expect(await members()).toBe(3);
  });

  it('sees CacheService.set through another instance at once', async () => {
    await a.cache.set('s', 1);
    expect(await b.cache.getOrSet('s', () => -1)).toBe(1);
    expect(await b.cache.getOrSet('s', () => -1)).toBe(1);
    await c.cache.set('s', 2);
    expect(await b.cache.getOrSet('s', () => -1)).toBe(2);
  });
});
