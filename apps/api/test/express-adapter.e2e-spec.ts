import {
  createTestApp,
  registerUser,
  type TestApp,
} from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

/** The same app on Express: the adapter-specific parts answer alike. */
describe('the app on Express (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('express');
    api = await createTestApp({
      platform: 'express',
      env: { DATABASE_URL: db.url, BODY_LIMIT_BYTES: '2048' },
    });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('runs on Express', () => {
    expect(api.app.getHttpAdapter().getType()).toBe('express');
  });

  it('registers, authenticates and serves a full flow', async () => {
    const me = await registerUser(api);
    const project = await api
      .http()
      .post('/projects')
      .set(me.auth)
      .send({ name: 'E' })
      .expect(201);
    await api
      .http()
      .post('/terms')
      .set(me.auth)
      .send({ projectId: project.body.id, name: '50%_off', definition: 'Sale' })
      .expect(201);
    const found = await api
      .http()
      .get('/terms/search?q=%25_')
      .set(me.auth)
      .expect(200);
    expect(found.body).toHaveLength(1);
    const page = await api
      .http()
      .get('/projects?limit=5')
      .set(me.auth)
      .expect(200);
    expect(page.body).toMatchObject({ page: 1, limit: 5, total: 1 });
  });

  it('answers 401, 400, 404 and 409 in the common shape', async () => {
    const unauthorized = await api.http().get('/users/me').expect(401);
    expect(unauthorized.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Missing bearer API key',
    });
    const me = await registerUser(api);
    const bad = await api
      .http()
      .get('/projects?page=0')
      .set(me.auth)
      .expect(400);
    expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const missing = await api.http().get('/nowhere').set(me.auth).expect(404);
    expect(missing.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
    const dup = await api
      .http()
      .post('/users')
      .send({ email: me.email.toUpperCase(), name: 'D' })
      .expect(409);
    expect(dup.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
  });

  it('answers 413 and malformed JSON in the common shape', async () => {
    const big = await api
      .http()
      .post('/users')
      .set('Content-Type', 'application/json')
      .send(
        JSON.stringify({ email: 'big@example.com', name: 'x'.repeat(4096) }),
      )
      .expect(413);
    expect(big.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: expect.any(String),
    });
    const malformed = await api
      .http()
      .post('/users')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(malformed.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.any(String),
    });
  });

  it('serves the docs', async () => {
    await api.http().get('/docs').expect(200);
    await api.http().get('/docs/swagger-ui.css').expect(200);
    await api.http().get('/docs-json').expect(200);
  });
});
