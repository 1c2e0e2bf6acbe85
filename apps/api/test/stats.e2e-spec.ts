import { answer, eventually } from './support/answers.js';
import { FAST_DB_TIMEOUTS, pgTarget } from './support/database-outage.js';
import {
  createTestApp,
  registerUser,
  type RegisteredUser,
  type TestApp,
} from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import { testRedisUrl } from '../../../test/support/services.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

interface Counts {
  users: number;
  projects: number;
  terms: number;
}

/**
 * /stats may lag: a write that changes a count outdates the cached counts
 * softly. The next read reloads them (never a HIT of the old figure), and
 * with PostgreSQL unavailable the last figure is served STALE within its
 * grace instead of a 503.
 */
describe('/stats after writes (e2e)', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let api: TestApp;
  let alice: RegisteredUser;

  const http = () => api.http();
  const stats = async () => {
    const res = await http().get('/stats').set(alice.auth).expect(200);
    return { cache: res.headers['x-cache'], counts: res.body as Counts };
  };
  const createProject = (name: string) =>
    http().post('/projects').set(alice.auth).send({ name }).expect(201);

  beforeAll(async () => {
    db = await createTestDatabase('stats');
    proxy = await FaultProxy.start(pgTarget(db.url));
    api = await createTestApp({
      env: {
        ...FAST_DB_TIMEOUTS,
        DATABASE_URL: proxy.urlFor(db.url),
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: uniquePrefix('stats'),
        SHUTDOWN_DRAIN_MS: '100',
      },
    });
    alice = await registerUser(api);
    // her key's lookup is cached, so that she is still let in with the database down
    await http().get('/users/me').set(alice.auth).expect(200);
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await db?.drop();
  });

  it('reloads the counts after a write, and serves the last ones STALE while PostgreSQL refuses', async () => {
    const first = await stats();
    expect(first.cache).toBe('MISS');
    expect((await stats()).cache).toBe('HIT');

    await createProject('P');
    const reloaded = await stats();
    expect(reloaded).toEqual({
      cache: 'MISS',
      counts: { ...first.counts, projects: first.counts.projects + 1 },
    });
    expect(await stats()).toEqual({ cache: 'HIT', counts: reloaded.counts });

    await createProject('Q');
    await proxy.setMode('refuse');
    try {
      const served = await answer(http().get('/stats').set(alice.auth));
      expect([served.status, served.headers['x-cache'], served.body]).toEqual([
        200,
        'STALE',
        reloaded.counts,
      ]);
    } finally {
      await proxy.setMode('pass');
    }
    await eventually(
      async () => (await http().get('/health/ready')).status,
      200,
    );
    const back = await eventually(
      async () => (await stats()).counts.projects,
      reloaded.counts.projects + 1,
    );
    expect(back).toBe(reloaded.counts.projects + 1);
  });
});
