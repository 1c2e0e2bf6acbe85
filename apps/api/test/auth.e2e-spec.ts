import {
  createTestApp,
  registerUser,
  type TestApp,
} from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

describe('authentication (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('auth');
    api = await createTestApp({ env: { DATABASE_URL: db.url } });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it.each(['/users/me', '/projects', '/stats', '/terms/search?q=a'])(
    'answers 401 on %s without a key',
    async (path) => {
      const response = await api.http().get(path).expect(401);
      expect(response.body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Missing bearer API key',
      });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    },
  );

  it.each([
    ['an unknown key', 'Bearer lx_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a key of the wrong shape', 'Bearer not-a-key'],
  ])('answers 401 for %s', async (_case, header) => {
    const response = await api
      .http()
      .get('/users/me')
      .set('Authorization', header)
      .expect(401);
    expect(response.body).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid API key',
    });
  });

  it.each([
    ['another scheme', (key: string) => `Basic ${key}`],
    ['a bare key', (key: string) => key],
    ['an empty bearer', () => 'Bearer '],
  ])('answers 401 for %s', async (_case, header) => {
    const me = await registerUser(api);
    await api
      .http()
      .get('/users/me')
      .set('Authorization', header(me.apiKey))
      .expect(401);
  });

  it('accepts the scheme in any case', async () => {
    const me = await registerUser(api);
    await api
      .http()
      .get('/users/me')
      .set('Authorization', `bearer ${me.apiKey}`)
      .expect(200);
  });

  it('checks the key before validating the request', async () => {
    await api.http().post('/projects').send({ bogus: true }).expect(401);
    await api.http().get('/projects/not-a-uuid').expect(401);
  });

  it('leaves registration and the docs public', async () => {
    await api
      .http()
      .post('/users')
      .send({ email: 'public@example.com', name: 'P' })
      .expect(201);
    const docs = await api.http().get('/docs').expect(200);
    expect(docs.headers['content-type']).toMatch(/text\/html/);
    expect(docs.text).toContain('swagger-ui');
    await api.http().get('/docs/swagger-ui-bundle.js').expect(200);
    await api.http().get('/docs/swagger-ui-init.js').expect(200);
    const spec = await api.http().get('/docs-json').expect(200);
    expect(spec.body.paths).toHaveProperty('/terms/search');
    expect(spec.body.components.securitySchemes).toHaveProperty('bearer');
  });
});
