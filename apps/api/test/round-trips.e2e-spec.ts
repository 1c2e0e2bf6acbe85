import { CommandLog } from '../../../test/support/command-log.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { ApiInstance } from './support/api-instances.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

interface Issued {
  user: { id: string };
  apiKey: string;
}

/**
 * What a cached API request costs in Redis commands (each one round trip):
 * a hit is the API-key lookup and the entry, two commands; with the
 * in-process tier a repeated hit costs none.
 */
describe('Redis round trips per API request', () => {
  let db: TestDatabase;
  let redis: RedisServerProcess;
  let log: CommandLog;
  const apis: ApiInstance[] = [];

  beforeAll(async () => {
    [db, redis] = await Promise.all([
      createTestDatabase('round_trips'),
      RedisServerProcess.start(),
    ]);
    log = await CommandLog.start(redis.url);
    const env = { DATABASE_URL: db.url, REDIS_URL: redis.url };
    apis.push(await ApiInstance.start({ ...env, CACHE_L1: 'false' }));
    apis.push(await ApiInstance.start({ ...env, REDIS_KEY_PREFIX: 'l1:' }));
  }, 120_000);

  afterAll(async () => {
    log?.close();
    await Promise.all(apis.map((a) => a.stop()));
    await stopAllRedisServers();
    await db?.drop();
  });

  async function termRoute(api: ApiInstance) {
    const { apiKey } = await api.expect<Issued>(201, 'POST', '/users', {
      body: { email: `rt-${api.port}@example.com`, name: 'Counter' },
    });
    const project = await api.expect<{ id: string }>(201, 'POST', '/projects', {
      apiKey,
      body: { name: 'Counted' },
    });
    const term = await api.expect<{ id: string }>(201, 'POST', '/terms', {
      apiKey,
      body: { projectId: project.id, name: 'Trip', definition: 'One way' },
    });
    const get = () => api.call('GET', `/terms/${term.id}`, { apiKey });
    // the first read fills the entry and the key lookup
    expect((await get()).headers.get('x-cache')).toBe('MISS');
    return get;
  }

  it('answers a hit with two commands without the in-process tier', async () => {
    const get = await termRoute(apis[0]);
    let answer: Awaited<ReturnType<typeof get>> | undefined;
    const sent = await log.during(async () => (answer = await get()));
    expect(answer?.headers.get('x-cache')).toBe('HIT');
    expect(sent).toHaveLength(2);
  });

  it('answers a repeated hit with no command with the in-process tier', async () => {
    const get = await termRoute(apis[1]);
    await get();
    let answer: Awaited<ReturnType<typeof get>> | undefined;
    const sent = await log.during(async () => (answer = await get()));
    expect(answer?.headers.get('x-cache')).toBe('HIT');
    // the tier's lease renewals (on its {l1} state) run on their own clock
    expect(sent.filter((c) => !c.some((a) => a.includes('{l1}')))).toEqual([]);
  });
});
