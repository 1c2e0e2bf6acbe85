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
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

/** The API keeps answering every route correctly while its Redis is down or hung. */
describe('the API when Redis fails (e2e)', () => {
  let db: TestDatabase;
  let redis: RedisServerProcess;
  let proxy: FaultProxy;
  let api: TestApp;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    db = await createTestDatabase('cache-faults');
    redis = await RedisServerProcess.start();
    proxy = await FaultProxy.start({ host: redis.host, port: redis.port });
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: proxy.url(),
        REDIS_KEY_PREFIX: uniquePrefix('api-faults'),
        REDIS_COMMAND_TIMEOUT_MS: '200',
      },
    });
    alice = await registerUser(api);
    bob = await registerUser(api);
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await stopAllRedisServers();
    await db?.drop();
  });

  async function eventuallyHit(
    path: string,
    user: RegisteredUser,
  ): Promise<void> {
    for (let i = 0; i < 60; i++) {
      const r = await api.http().get(path).set(user.auth).expect(200);
      if (r.headers['x-cache'] === 'HIT') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${path} was never served from the cache again`);
  }

  /** Every route, reads and writes, answered correctly (no 5xx). */
  async function exerciseEveryRoute(tag: string): Promise<void> {
    const http = () => api.http();
    const project = (
      await http()
        .post('/projects')
        .set(alice.auth)
        .send({ name: `p-${tag}` })
        .expect(201)
    ).body as { id: string };
    const term = (
      await http()
        .post('/terms')
        .set(alice.auth)
        .send({ projectId: project.id, name: `t-${tag}`, definition: 'd' })
        .expect(201)
    ).body as { id: string };
    await http().get('/users/me').set(alice.auth).expect(200);
    await http().get(`/users/${alice.id}`).set(bob.auth).expect(200);
    await http()
      .patch(`/users/${alice.id}`)
      .set(alice.auth)
      .send({ name: `Alice ${tag}` })
      .expect(200);
    expect(
      (await http().get('/users/me').set(alice.auth).expect(200)).body.name,
    ).toBe(`Alice ${tag}`);
    await http().get('/projects').set(bob.auth).expect(200);
    await http()
      .patch(`/projects/${project.id}`)
      .set(alice.auth)
      .send({ name: `renamed-${tag}` })
      .expect(200);
    expect(
      (await http().get(`/projects/${project.id}`).set(bob.auth).expect(200))
        .body.name,
    ).toBe(`renamed-${tag}`);
    expect(
      (
        await http()
          .get(`/projects/${project.id}/terms`)
          .set(bob.auth)
          .expect(200)
      ).body,
    ).toHaveLength(1);
    await http()
      .patch(`/terms/${term.id}`)
      .set(alice.auth)
      .send({ name: `t2-${tag}` })
      .expect(200);
    expect(
      (await http().get(`/terms/${term.id}`).set(bob.auth).expect(200)).body
        .name,
    ).toBe(`t2-${tag}`);
    expect(
      (
        await http()
          .get(`/terms/search?q=t2-${tag}`)
          .set(alice.auth)
          .expect(200)
      ).body,
    ).toHaveLength(1);
    await http().get('/stats').set(bob.auth).expect(200);
    await http().delete(`/terms/${term.id}`).set(alice.auth).expect(204);
    await http().get(`/terms/${term.id}`).set(bob.auth).expect(404);
    await http().delete(`/projects/${project.id}`).set(alice.auth).expect(204);
    await http().get(`/projects/${project.id}`).set(bob.auth).expect(404);
  }

  it('serves every route with Redis stopped, and caches again once it is back', async () => {
    await exerciseEveryRoute('up');
    await eventuallyHit('/users/me', alice);
    await redis.stop();
    await exerciseEveryRoute('stopped');
    await redis.restart();
    await exerciseEveryRoute('restarted');
    await eventuallyHit(`/users/${bob.id}`, alice);
  });

  it('serves every route while Redis hangs, each within the command timeout', async () => {
    await eventuallyHit(`/users/${bob.id}`, alice);
    await proxy.setMode('stall');
    try {
      const started = Date.now();
      await exerciseEveryRoute('stalled');
      // about 20 requests; a hung Redis must not make each wait much longer than the timeout
      expect(Date.now() - started).toBeLessThan(20 * 1000);
    } finally {
      await proxy.setMode('pass');
    }
    await exerciseEveryRoute('resumed');
    await eventuallyHit(`/users/${bob.id}`, alice);
  });
});
