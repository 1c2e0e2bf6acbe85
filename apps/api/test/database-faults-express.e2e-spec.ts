import { answer } from './support/answers.js';
import {
  expectUnavailable,
  FAST_DB_TIMEOUTS,
  pgTarget,
} from './support/database-outage.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';

/** The 503 and its Retry-After header on the other HTTP adapter. */
describe('the API on Express when PostgreSQL refuses connections (e2e)', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('db-faults-express');
    proxy = await FaultProxy.start(pgTarget(db.url));
    api = await createTestApp({
      platform: 'express',
      env: {
        ...FAST_DB_TIMEOUTS,
        DATABASE_URL: proxy.urlFor(db.url),
        REDIS_URL: undefined,
        REDIS_HOST: undefined,
      },
    });
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await db?.drop();
  });

  it('answers 503 with Retry-After', async () => {
    await proxy.setMode('refuse');
    expectUnavailable(
      await answer(
        api.http().post('/users').send({ email: 'e@example.com', name: 'E' }),
      ),
      'POST user',
    );
    await proxy.setMode('pass');
    await api
      .http()
      .post('/users')
      .send({ email: 'e@example.com', name: 'E' })
      .expect(201);
  });
});
