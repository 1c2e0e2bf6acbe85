import { answer, eventually, type Answer } from './support/answers.js';
import {
  expectUnavailable,
  FAST_DB_TIMEOUTS,
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
import { connectPg, withPg } from '../../../test/support/pg.js';
import { testRedisUrl } from '../../../test/support/services.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

describe('the API when PostgreSQL fails (e2e)', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let api: TestApp;
  let alice: RegisteredUser;
  let projectId: string;
  let cachedTermId: string;
  let otherTermId: string;

  const http = () => api.http();

  beforeAll(async () => {
    db = await createTestDatabase('db-faults');
    proxy = await FaultProxy.start(pgTarget(db.url));
    api = await createTestApp({
      env: {
        ...FAST_DB_TIMEOUTS,
        DATABASE_URL: proxy.urlFor(db.url),
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: uniquePrefix('db-faults'),
        SHUTDOWN_DRAIN_MS: '100',
      },
    });
    alice = await registerUser(api);
    projectId = (
      await http().post('/projects').set(alice.auth).send({ name: 'P' })
    ).body.id as string;
    const term = async (name: string) =>
      (
        await http()
          .post('/terms')
          .set(alice.auth)
          .send({ projectId, name, definition: 'd' })
          .expect(201)
      ).body.id as string;
    cachedTermId = await term('cached');
    otherTermId = await term('other');
    await http().get('/users/me').set(alice.auth).expect(200);
    await eventually(
      async () =>
        (await http().get(`/terms/${cachedTermId}`).set(alice.auth)).headers[
          'x-cache'
        ],
      'HIT',
    );
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
    await db?.drop();
  });

  it('answers uncached reads and writes 503 with Retry-After while PostgreSQL is black-holed; cached reads 200', async () => {
    await proxy.setMode('stall');
    const requests: [string, () => Promise<Answer>][] = [
      [
        'GET term',
        () => answer(http().get(`/terms/${otherTermId}`).set(alice.auth)),
      ],
      [
        'GET page',
        () => answer(http().get('/projects?page=7&limit=3').set(alice.auth)),
      ],
      ['GET stats', () => answer(http().get('/stats').set(alice.auth))],
      [
        'PATCH term',
        () =>
          answer(
            http()
              .patch(`/terms/${otherTermId}`)
              .set(alice.auth)
              .send({ name: 'x' }),
          ),
      ],
      [
        'PATCH project',
        () =>
          answer(
            http()
              .patch(`/projects/${projectId}`)
              .set(alice.auth)
              .send({ name: 'x' }),
          ),
      ],
      [
        'POST project',
        () =>
          answer(http().post('/projects').set(alice.auth).send({ name: 'Q' })),
      ],
      [
        'POST term',
        () =>
          answer(
            http()
              .post('/terms')
              .set(alice.auth)
              .send({ projectId, name: 'n', definition: 'd' }),
          ),
      ],
      [
        'POST user',
        () =>
          answer(
            http()
              .post('/users')
              .send({ email: `u${Date.now()}@example.com`, name: 'U' }),
          ),
      ],
      [
        'DELETE user',
        () => answer(http().delete(`/users/${alice.id}`).set(alice.auth)),
      ],
    ];
    const answers = await Promise.all(requests.map(([, send]) => send()));
    answers.forEach((a, i) => expectUnavailable(a, requests[i][0]));

    const cached = await answer(
      http().get(`/terms/${cachedTermId}`).set(alice.auth),
    );
    expect([cached.status, cached.headers['x-cache']]).toEqual([200, 'HIT']);
    expect((await answer(http().get('/users/me').set(alice.auth))).status).toBe(
      200,
    );
    expect((await answer(http().get('/health/ready'))).status).toBe(503);

    // back without a restart
    await proxy.setMode('pass');
    await eventually(
      async () =>
        (await http().get(`/terms/${otherTermId}`).set(alice.auth)).status,
      200,
    );
    await http()
      .patch(`/projects/${projectId}`)
      .set(alice.auth)
      .send({ name: 'P2' })
      .expect(200);
    await http().get('/projects?page=7&limit=3').set(alice.auth).expect(200);
  });

  it('answers 503 for a read and a write whose link is reset, then serves them again', async () => {
    const readHeld = proxy.stallOn(/FROM "terms"/);
    const read = answer(http().get(`/terms/search?q=reset`).set(alice.auth));
    await readHeld;
    await proxy.setMode('reset');
    expectUnavailable(await read, 'GET search');

    const writeHeld = proxy.stallOn(/UPDATE "projects"/);
    const write = answer(
      http()
        .patch(`/projects/${projectId}`)
        .set(alice.auth)
        .send({ name: 'reset' }),
    );
    await writeHeld;
    await proxy.setMode('reset');
    expectUnavailable(await write, 'PATCH project');

    await http().get('/terms/search?q=reset').set(alice.auth).expect(200);
    await http()
      .patch(`/projects/${projectId}`)
      .set(alice.auth)
      .send({ name: 'again' })
      .expect(200);
  });

  it('answers 503 at once while PostgreSQL refuses connections, and is ready again once it is back', async () => {
    await proxy.setMode('refuse');
    expectUnavailable(
      await answer(http().get('/projects?page=9&limit=3').set(alice.auth)),
      'GET page',
    );
    expectUnavailable(
      await answer(
        http().post('/projects').set(alice.auth).send({ name: 'R' }),
      ),
      'POST project',
    );
    expect((await answer(http().get('/health/ready'))).status).toBe(503);
    await proxy.setMode('pass');
    expect(
      await eventually(
        async () => (await http().get('/health/ready')).status,
        200,
      ),
    ).toBe(200);
    await http().get('/projects?page=9&limit=3').set(alice.auth).expect(200);
  });

  it('answers 503 when a statement runs past the statement timeout; the connection stays in use', async () => {
    const lock = await connectPg(db.url);
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM terms WHERE id = $1 FOR UPDATE', [
        otherTermId,
      ]);
      expectUnavailable(
        await answer(
          http()
            .patch(`/terms/${otherTermId}`)
            .set(alice.auth)
            .send({ name: 'locked' }),
        ),
        'PATCH term',
      );
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }
    const renamed = await http()
      .patch(`/terms/${otherTermId}`)
      .set(alice.auth)
      .send({ name: 'free' })
      .expect(200);
    expect(renamed.body.name).toBe('free');
  });

  it('still answers 500 for a database error that is a bug', async () => {
    const rename = (from: string, to: string) =>
      withPg(db.url, (pg) =>
        pg.query(`ALTER TABLE projects RENAME COLUMN ${from} TO ${to}`),
      );
    await rename('description', 'description_gone');
    try {
      const a = await answer(
        http().get('/projects?page=11&limit=3').set(alice.auth),
      );
      expect(a.status).toBe(500);
      expect(a.headers['retry-after']).toBeUndefined();
      expect(a.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
      });
    } finally {
      await rename('description_gone', 'description');
    }
  });
});
