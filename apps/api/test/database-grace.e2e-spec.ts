import { answer, eventually, type Answer } from './support/answers.js';
import {
  expectUnavailable,
  FAST_DB_TIMEOUTS,
  OUTAGE_BUDGET_MS,
  pgTarget,
} from './support/database-outage.js';
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
import { withPg } from '../../../test/support/pg.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { redisCommand } from '../../../test/support/redis-raw.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { hashApiKey } from '../src/auth/api-key.js';

/** Entries live 1 s (REDIS_DEFAULT_TTL); waiting this long outlives one. */
const PAST_TTL_MS = 1300;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * CACHE_GRACE (default 10m) and CACHE_SOFT_TIMEOUT: an expired entry
 * answers `X-Cache: STALE` while PostgreSQL is black-holed or resets the
 * link, never once a write invalidated it, and the API goes back to fresh
 * data by itself. With Redis down as well, nothing is served stale.
 */
describe('the API serving stale entries while PostgreSQL fails (e2e)', () => {
  let db: TestDatabase;
  let redis: RedisServerProcess;
  let proxy: FaultProxy;
  let api: TestApp;
  let alice: RegisteredUser;
  let projectId: string;
  let prefix: string;

  const http = () => api.http();
  const getTerm = (id: string): Promise<Answer> =>
    answer(http().get(`/terms/${id}`).set(alice.auth));
  const rename = (id: string, name: string) =>
    withPg(db.url, (pg) =>
      pg.query('UPDATE terms SET name = $1 WHERE id = $2', [name, id]),
    );

  /** A new term, read until cached, then left to expire. */
  async function expiredTerm(name: string): Promise<string> {
    const id = (
      await http()
        .post('/terms')
        .set(alice.auth)
        .send({ projectId, name, definition: 'd' })
        .expect(201)
    ).body.id as string;
    expect((await getTerm(id)).headers['x-cache']).toBe('MISS');
    expect((await getTerm(id)).headers['x-cache']).toBe('HIT');
    await sleep(PAST_TTL_MS);
    return id;
  }

  function expectStale(a: Answer, name: string): void {
    expect([a.status, a.headers['x-cache'], a.headers['cache-status']]).toEqual(
      [200, 'STALE', 'lexikon; fwd=stale'],
    );
    expect(a.body).toMatchObject({ name });
    expect(a.ms).toBeLessThan(OUTAGE_BUDGET_MS);
  }

  beforeAll(async () => {
    db = await createTestDatabase('db-grace');
    redis = await RedisServerProcess.start();
    proxy = await FaultProxy.start(pgTarget(db.url));
    api = await createTestApp({
      env: {
        ...FAST_DB_TIMEOUTS,
        DATABASE_URL: proxy.urlFor(db.url),
        REDIS_URL: redis.url,
        REDIS_KEY_PREFIX: (prefix = uniquePrefix('db-grace')),
        REDIS_DEFAULT_TTL: '1',
        REDIS_COMMAND_TIMEOUT_MS: '200',
        SHUTDOWN_DRAIN_MS: '100',
      },
    });
    alice = await registerUser(api);
    projectId = (
      await http()
        .post('/projects')
        .set(alice.auth)
        .send({ name: 'P' })
        .expect(201)
    ).body.id as string;
    // her key's lookup is cached (5 min), so that she is let in meanwhile
    await http().get('/users/me').set(alice.auth).expect(200);
  });

  afterEach(async () => {
    await proxy?.setMode('pass');
    await eventually(
      async () => (await http().get('/health/ready')).status,
      200,
    );
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await stopAllRedisServers();
    await db?.drop();
  });

  it('serves an expired entry STALE while PostgreSQL is black-holed, then fresh data once it is back', async () => {
    const id = await expiredTerm('before');
    await proxy.setMode('stall');
    await rename(id, 'after');
    expectStale(await getTerm(id), 'before');
    // an entry never cached has nothing to serve
    expectUnavailable(
      await answer(http().get('/projects?page=5&limit=2').set(alice.auth)),
      'GET page',
    );

    await proxy.setMode('pass');
    const fresh = await eventually(async () => {
      const a = await getTerm(id);
      return `${a.status} ${a.headers['x-cache']} ${(a.body as { name?: string }).name}`;
    }, '200 MISS after');
    expect(fresh).toBe('200 MISS after');
    const again = await getTerm(id);
    expect([again.headers['x-cache'], again.body]).toEqual([
      'HIT',
      expect.objectContaining({ name: 'after' }),
    ]);
  });

  it('serves an expired entry STALE when the link is reset under its reload', async () => {
    const id = await expiredTerm('reset');
    const held = proxy.stallOn(/FROM "terms"/);
    const read = getTerm(id);
    await held;
    await proxy.setMode('reset');
    expectStale(await read, 'reset');
    const back = await getTerm(id);
    expect([back.status, back.headers['x-cache']]).toEqual([200, 'MISS']);
  });

  it('never serves an entry a write invalidated: 503 while PostgreSQL is black-holed', async () => {
    const expired = await expiredTerm('old');
    const fresh = await expiredTerm('old too');
    expect((await getTerm(fresh)).headers['x-cache']).toBe('MISS');
    for (const id of [expired, fresh]) {
      await http()
        .patch(`/terms/${id}`)
        .set(alice.auth)
        .send({ name: 'new' })
        .expect(200);
    }
    await proxy.setMode('stall');
    expectUnavailable(await getTerm(expired), 'GET expired, then written');
    expectUnavailable(await getTerm(fresh), 'GET fresh, then written');

    await proxy.setMode('pass');
    await eventually(async () => (await getTerm(fresh)).status, 200);
    const back = await getTerm(expired);
    expect([back.status, back.body]).toEqual([
      200,
      expect.objectContaining({ name: 'new' }),
    ]);
  });

  it('keeps no API-key lookup past its TTL, and refuses a rotated key at once', async () => {
    const bob = await registerUser(api);
    await http().get('/users/me').set(bob.auth).expect(200);
    // without a grace of its own the entry would live 5 min + CACHE_GRACE
    const lifeMs = await redisCommand(redis.port, [
      'PTTL',
      `${prefix}auth:${hashApiKey(bob.apiKey)}`,
    ]);
    expect(lifeMs).toBeGreaterThan(0);
    expect(lifeMs).toBeLessThanOrEqual(5 * 60_000);

    const rotated = await http()
      .post('/users/me/api-key')
      .set(bob.auth)
      .expect(200);
    await proxy.setMode('stall');
    expectUnavailable(
      await answer(http().get('/users/me').set(bob.auth)),
      'GET with the old key',
    );
    await proxy.setMode('pass');
    await http()
      .get('/users/me')
      .set({ Authorization: `Bearer ${rotated.body.apiKey as string}` })
      .expect(200);
    await http().get('/users/me').set(bob.auth).expect(401);
  });

  it('answers 503 with Redis and PostgreSQL both down, even for an entry fresh in the in-process tier', async () => {
    const expired = await expiredTerm('both down');
    // /stats lives 5 min: fresh in Redis and in the in-process tier
    expect((await answer(http().get('/stats').set(alice.auth))).status).toBe(
      200,
    );
    const hit = await answer(http().get('/stats').set(alice.auth));
    expect(hit.headers['x-cache']).toBe('HIT');

    await proxy.setMode('stall');
    await redis.kill();
    try {
      // the key lookup itself needs Redis or PostgreSQL: a stale copy kept
      // here could not know of the invalidations it missed
      expectUnavailable(await getTerm(expired), 'GET expired term');
      expectUnavailable(
        await answer(http().get('/stats').set(alice.auth)),
        'GET stats',
      );
    } finally {
      await redis.restart();
    }
    await proxy.setMode('pass');
    const back = await eventually(
      async () => (await getTerm(expired)).status,
      200,
    );
    expect(back).toBe(200);
  });
});
