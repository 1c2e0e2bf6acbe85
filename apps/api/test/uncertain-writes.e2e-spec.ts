import { setTimeout as sleep } from 'node:timers/promises';
import { SETTLE_PROBE_INTERVAL_MS } from '../src/database/database-recovery.service.js';
import { answer } from './support/answers.js';
import { pgTarget } from './support/database-outage.js';
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

interface TermBody {
  name: string;
}

async function poll(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A PATCH whose UPDATE is held up on the way to PostgreSQL, answered 503,
 * and then reaches PostgreSQL after it answers again, after a read cached
 * the old row: the cache must end up agreeing with the database.
 */
describe('a write whose outcome is unknown (e2e)', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let api: TestApp;
  let alice: RegisteredUser;
  let projectId: string;
  let termId: string;

  const http = () => api.http();

  /** The name each route shows for the term (null when it answers otherwise). */
  async function namesShown(): Promise<Record<string, string | null>> {
    const [one, list, search] = await Promise.all([
      http().get(`/terms/${termId}`).set(alice.auth),
      http().get(`/projects/${projectId}/terms`).set(alice.auth),
      http().get('/terms/search?q=word').set(alice.auth),
    ]);
    const first = (r: typeof list) =>
      r.status === 200 ? ((r.body as TermBody[])[0]?.name ?? null) : null;
    return {
      'GET /terms/:id': one.status === 200 ? (one.body as TermBody).name : null,
      'GET /projects/:id/terms': first(list),
      'GET /terms/search': first(search),
    };
  }

  async function nameInDatabase(): Promise<string> {
    return withPg(db.url, async (pg) => {
      const { rows } = await pg.query<{ name: string }>(
        'SELECT name FROM terms WHERE id = $1',
        [termId],
      );
      return rows[0].name;
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase('uncertain-writes');
    proxy = await FaultProxy.start(pgTarget(db.url));
    api = await createTestApp({
      env: {
        DATABASE_URL: proxy.urlFor(db.url),
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: uniquePrefix('uncertain-writes'),
        DB_CONNECT_TIMEOUT_MS: '300',
        DB_QUERY_TIMEOUT_MS: '600',
        // long enough for the late UPDATE to wait on the test's lock
        DB_STATEMENT_TIMEOUT_MS: '5000',
        DB_TRANSACTION_TIMEOUT_MS: '2000',
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
    termId = (
      await http()
        .post('/terms')
        .set(alice.auth)
        .send({ projectId, name: 'word-before', definition: 'd' })
        .expect(201)
    ).body.id as string;
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await db?.drop();
  });

  it('invalidates at once and again once the late UPDATE is done, so that every route agrees with the database', async () => {
    const before = 'word-before';
    await namesShown();
    expect(await namesShown()).toEqual({
      'GET /terms/:id': before,
      'GET /projects/:id/terms': before,
      'GET /terms/search': before,
    });

    const held = proxy.stallOn(/UPDATE "terms"/);
    const patch = answer(
      http()
        .patch(`/terms/${termId}`)
        .set(alice.auth)
        .send({ name: 'word-after' }),
    );
    await held;
    expect((await patch).status).toBe(503);

    // first pass: nothing is served from the cache (each route needs the database)
    expect(await namesShown()).toEqual({
      'GET /terms/:id': null,
      'GET /projects/:id/terms': null,
      'GET /terms/search': null,
    });

    // the late UPDATE will wait on this lock, so that reads can come first
    const lock = await connectPg(db.url);
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT 1 FROM terms WHERE id = $1 FOR UPDATE', [
        termId,
      ]);
      await proxy.setMode('pass');
      await poll('the late UPDATE waiting at PostgreSQL', () =>
        withPg(db.url, async (pg) => {
          const { rows } = await pg.query(
            `SELECT 1 FROM pg_stat_activity
              WHERE datname = current_database() AND wait_event_type = 'Lock'
                AND query LIKE 'UPDATE "terms"%'`,
          );
          return rows.length === 1;
        }),
      );
      // the app probes PostgreSQL meanwhile: it answers, but must not count
      // as settled while the late UPDATE may still commit
      await sleep(2 * SETTLE_PROBE_INTERVAL_MS);
      // reads now cache the old row, which is still what the database holds
      expect(await namesShown()).toEqual({
        'GET /terms/:id': before,
        'GET /projects/:id/terms': before,
        'GET /terms/search': before,
      });
    } finally {
      await lock.query('ROLLBACK').catch(() => undefined);
      await lock.end();
    }

    // the late UPDATE commits: the 503'd PATCH took effect after all
    await poll(
      'the late UPDATE committed',
      async () => (await nameInDatabase()) === 'word-after',
    );
    // and once PostgreSQL has settled, the second pass makes every route agree
    let shown: Record<string, string | null> = {};
    await poll('every route showing the database', async () => {
      shown = await namesShown();
      return Object.values(shown).every((name) => name === 'word-after');
    }).catch(() => undefined);
    expect(shown).toEqual({
      'GET /terms/:id': 'word-after',
      'GET /projects/:id/terms': 'word-after',
      'GET /terms/search': 'word-after',
    });
    const again = await http().get(`/terms/${termId}`).set(alice.auth);
    expect([again.headers['x-cache'], again.body.name]).toEqual([
      'HIT',
      'word-after',
    ]);
  });

  it('stops the old API key once a key rotation answered 503 has taken effect', async () => {
    const bob = await registerUser(api);
    await http().get('/users/me').set(bob.auth).expect(200); // the key's lookup is cached now
    const hashInDatabase = () =>
      withPg(db.url, async (pg) => {
        const { rows } = await pg.query<{ hash: string }>(
          'SELECT api_key_hash AS hash FROM users WHERE id = $1',
          [bob.id],
        );
        return rows[0].hash;
      });
    const oldHash = await hashInDatabase();

    const held = proxy.stallOn(/UPDATE "users"/);
    const rotation = answer(http().post('/users/me/api-key').set(bob.auth));
    await held;
    expect((await rotation).status).toBe(503);
    await proxy.setMode('pass');
    await poll(
      'the late rotation committed',
      async () => (await hashInDatabase()) !== oldHash,
    );

    let status = 0;
    await poll('the old key refused', async () => {
      status = (await http().get('/users/me').set(bob.auth)).status;
      return status === 401;
    }).catch(() => undefined);
    expect(status).toBe(401);
  });
});
