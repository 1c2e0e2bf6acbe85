import { Redis } from 'ioredis';
import { staleReads, type HistoryOp } from '../../../test/support/history.js';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { ApiInstance } from './support/api-instances.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

interface Issued {
  user: { id: string };
  apiKey: string;
}
interface Named {
  id: string;
  name: string;
  definition?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The version a test wrote into a name or definition: `<label> v<n>`. */
function versionOf(text: string | undefined): number {
  return Number(/ v(\d+)$/.exec(text ?? '')?.[1] ?? 0);
}

async function killBuses(redis: RedisServerProcess): Promise<number> {
  const raw = new Redis(redis.url);
  try {
    const list = String(await raw.client('LIST'));
    let killed = 0;
    for (const line of list.split('\n')) {
      const id =
        /name=lexikon-l1-bus-\S+/.test(line) && /\bid=(\d+)/.exec(line)?.[1];
      if (id) killed += Number(await raw.client('KILL', 'ID', id));
    }
    return killed;
  } finally {
    raw.disconnect();
  }
}

/**
 * Three API processes on one Redis and one PostgreSQL, each with its
 * in-process tier on (the default with Redis): what a write changed is
 * never served by any instance once the write answered, whether the write
 * is a key rotation, a deletion or any cached route's data, and whatever
 * happens to an instance's invalidation channel or to Redis.
 */
describe('three API instances with the in-process tier', () => {
  let db: TestDatabase;
  let redis: RedisServerProcess;
  let apis: ApiInstance[] = [];

  beforeAll(async () => {
    [db, redis] = await Promise.all([
      createTestDatabase('three_instances'),
      RedisServerProcess.start(),
    ]);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: uniquePrefix('three'),
      LOG_LEVEL: 'warn',
    };
    // the third hears of every invalidation late: only writers that wait
    // for it keep it from serving what they changed
    const slowLink = await FaultProxy.start({
      host: '127.0.0.1',
      port: redis.port,
    });
    slowLink.latencyMs = 25;
    // the first runs the migrations alone
    apis = [await ApiInstance.start(env)];
    apis.push(
      ...(await Promise.all([
        ApiInstance.start(env),
        ApiInstance.start({ ...env, REDIS_URL: slowLink.url() }),
      ])),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(apis.map((a) => a.stop()));
    await closeAllFaultProxies();
    await stopAllRedisServers();
    await db?.drop();
  });

  async function register(label: string): Promise<Issued> {
    return apis[0].expect<Issued>(201, 'POST', '/users', {
      body: {
        email: `${label}-${Date.now()}-${Math.random().toString(36).slice(2)}@example.com`,
        name: label,
      },
    });
  }

  it('refuses a rotated key and a deleted user’s key on every instance at once', async () => {
    const alice = await register('rotating');
    // every instance has the key's principal in its tier
    for (const api of apis)
      for (let i = 0; i < 2; i++)
        await api.expect(200, 'GET', '/users/me', { apiKey: alice.apiKey });

    const rotated = await apis[0].expect<Issued>(
      200,
      'POST',
      '/users/me/api-key',
      { apiKey: alice.apiKey },
    );
    for (const api of [apis[2], apis[1], apis[0]]) {
      expect(
        (await api.call('GET', '/users/me', { apiKey: alice.apiKey })).status,
      ).toBe(401);
      await api.expect(200, 'GET', '/users/me', { apiKey: rotated.apiKey });
    }

    await apis[1].expect(204, 'DELETE', `/users/${alice.user.id}`, {
      apiKey: rotated.apiKey,
    });
    for (const api of [apis[2], apis[0], apis[1]]) {
      expect(
        (await api.call('GET', '/users/me', { apiKey: rotated.apiKey })).status,
      ).toBe(401);
    }
  }, 60_000);

  it('has no stale read in a randomized history over every cached route, with a stalled instance, killed buses and a Redis restart', async () => {
    const owner = await register('historian');
    const key = owner.apiKey;
    const project = await apis[0].expect<Named>(201, 'POST', '/projects', {
      apiKey: key,
      body: { name: 'History v0' },
    });
    const terms: Named[] = [];
    for (let i = 0; i < 4; i++) {
      terms.push(
        await apis[i % 3].expect<Named>(201, 'POST', '/terms', {
          apiKey: key,
          body: {
            projectId: project.id,
            name: `Term ${i}`,
            definition: 'Meaning v0',
          },
        }),
      );
    }

    let seed = 11;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const pick = <T>(list: readonly T[]): T =>
      list[Math.floor(random() * list.length)];
    const ops: HistoryOp[] = [];
    const failed: string[] = [];
    let running = true;

    type Seen = [id: string, version: number][];
    const termsSeen = (list: Named[]): Seen =>
      list.map((t) => [`term:${t.id}`, versionOf(t.definition)]);
    const get = <T>(api: ApiInstance, path: string) =>
      api.expect<T>(200, 'GET', path, { apiKey: key });
    const reads: [route: string, read: (api: ApiInstance) => Promise<Seen>][] =
      [
        [
          'GET /terms/:id',
          async (api) =>
            termsSeen([await get<Named>(api, `/terms/${pick(terms).id}`)]),
        ],
        [
          'GET /projects/:id/terms',
          async (api) =>
            termsSeen(await get<Named[]>(api, `/projects/${project.id}/terms`)),
        ],
        [
          'GET /terms/search',
          async (api) =>
            termsSeen(await get<Named[]>(api, '/terms/search?q=Term')),
        ],
        [
          'GET /projects/:id',
          async (api) => [
            [
              'project',
              versionOf(
                (await get<Named>(api, `/projects/${project.id}`)).name,
              ),
            ],
          ],
        ],
        [
          'GET /projects',
          async (api) => {
            const page = await get<{ items: Named[] }>(
              api,
              '/projects?page=1&limit=100',
            );
            const p = page.items.find((x) => x.id === project.id);
            return [['project', versionOf(p?.name)]];
          },
        ],
        [
          'GET /users/me',
          async (api) => [
            ['user', versionOf((await get<Named>(api, '/users/me')).name)],
          ],
        ],
        [
          'GET /users/:id',
          async (api) => [
            [
              'user',
              versionOf(
                (await get<Named>(api, `/users/${owner.user.id}`)).name,
              ),
            ],
          ],
        ],
      ];

    const writer = async (
      id: string,
      path: string,
      body: (n: number) => object,
    ) => {
      for (let n = 1; running && n <= 400; n++) {
        const start = performance.now();
        const api = pick(apis);
        const answer = await api
          .call('PATCH', path, { apiKey: key, body: body(n) })
          .catch((e: unknown) => ({ status: 0, body: String(e) }));
        if (answer.status === 200) {
          ops.push({
            kind: 'write',
            id,
            start,
            end: performance.now(),
            value: n,
            via: `on ${apis.indexOf(api)}`,
          });
        } else {
          failed.push(`PATCH ${path}: ${answer.status}`);
        }
        await sleep(random() * 40);
      }
    };
    const reader = async () => {
      for (let i = 0; running && i < 2000; i++) {
        const [route, read] = pick(reads);
        const api = pick(apis);
        const start = performance.now();
        try {
          const seen = await read(api);
          const end = performance.now();
          const via = `${route} on ${apis.indexOf(api)}`;
          for (const [id, value] of seen)
            ops.push({ kind: 'read', id, start, end, value, via });
        } catch (e) {
          failed.push(String(e));
        }
      }
    };
    const marks: string[] = [];
    const mark = (what: string) =>
      marks.push(`${what} at ${performance.now().toFixed(1)}`);
    const faults = async () => {
      await sleep(1500);
      mark('pause 2');
      apis[2].pause();
      await sleep(1500);
      mark('resume 2');
      apis[2].resume();
      await sleep(1000);
      mark('kill buses');
      expect(await killBuses(redis)).toBeGreaterThan(0);
      await sleep(1500);
      mark('restart Redis');
      await redis.restart();
      mark('Redis restarted');
      await sleep(2500);
      running = false;
    };

    await Promise.all([
      faults(),
      ...terms.map((t) =>
        writer(`term:${t.id}`, `/terms/${t.id}`, (n) => ({
          definition: `Meaning v${n}`,
        })),
      ),
      writer('project', `/projects/${project.id}`, (n) => ({
        name: `History v${n}`,
      })),
      writer('user', `/users/${owner.user.id}`, (n) => ({
        name: `Historian v${n}`,
      })),
      ...Array.from({ length: 6 }, reader),
    ]);

    const writes = ops.filter((o) => o.kind === 'write').length;
    const readCount = ops.length - writes;
    expect(writes).toBeGreaterThan(60);
    expect(readCount).toBeGreaterThan(300);
    // every request was answered: Redis and the stalled instance fail open
    expect(failed).toEqual([]);
    expect([...staleReads(ops), ...marks]).toEqual(marks);
  }, 120_000);
});
