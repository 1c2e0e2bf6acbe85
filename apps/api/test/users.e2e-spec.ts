import {
  createTestApp,
  registerUser,
  type TestApp,
} from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('users (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('users');
    api = await createTestApp({ env: { DATABASE_URL: db.url } });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  describe('POST /users', () => {
    it('registers a user and shows the API key once', async () => {
      const response = await api
        .http()
        .post('/users')
        .send({ email: 'ada@example.com', name: 'Ada' })
        .expect(201);
      expect(response.body).toEqual({
        user: {
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          email: 'ada@example.com',
          name: 'Ada',
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
        apiKey: expect.stringMatching(/^lx_[A-Za-z0-9_-]{43}$/),
      });
      expect(new Date(response.body.user.createdAt).toISOString()).toBe(
        response.body.user.createdAt,
      );
      expect(JSON.stringify(response.body)).not.toMatch(/hash/i);
    });

    it('trims the name and email', async () => {
      const response = await api
        .http()
        .post('/users')
        .send({ email: '  trim@example.com ', name: '  Trim  ' })
        .expect(201);
      expect(response.body.user).toMatchObject({
        email: 'trim@example.com',
        name: 'Trim',
      });
    });

    it.each([
      ['a missing email', { name: 'No Email' }],
      ['an invalid email', { email: 'not-an-email', name: 'X' }],
      ['an empty name', { email: 'empty@example.com', name: '   ' }],
      ['a too long name', { email: 'long@example.com', name: 'x'.repeat(101) }],
      ['a non-string name', { email: 'num@example.com', name: 42 }],
      [
        'an unknown field',
        { email: 'extra@example.com', name: 'X', isAdmin: true },
      ],
    ])('answers 400 for %s', async (_case, body) => {
      const response = await api.http().post('/users').send(body).expect(400);
      expect(response.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: expect.any(String),
      });
    });

    it('names the unknown field', async () => {
      const response = await api
        .http()
        .post('/users')
        .send({ email: 'extra2@example.com', name: 'X', role: 'admin' })
        .expect(400);
      expect(response.body.message).toContain('role');
    });

    it('answers 400 without a body', async () => {
      await api.http().post('/users').expect(400);
    });

    it('answers 409 for a taken email, whatever its case', async () => {
      await registerUser(api, { email: 'dup@example.com' });
      for (const email of ['dup@example.com', 'DUP@Example.COM']) {
        const response = await api
          .http()
          .post('/users')
          .send({ email, name: 'Dup' })
          .expect(409);
        expect(response.body).toEqual({
          statusCode: 409,
          error: 'Conflict',
          message: 'A user with this email already exists',
        });
      }
    });
  });

  describe('GET /users/me and /users/:id', () => {
    it('returns the caller', async () => {
      const me = await registerUser(api);
      const response = await api
        .http()
        .get('/users/me')
        .set(me.auth)
        .expect(200);
      expect(response.body).toMatchObject({
        id: me.id,
        email: me.email,
        name: me.name,
      });
      expect(response.body).not.toHaveProperty('apiKeyHash');
    });

    it('returns any user by id', async () => {
      const me = await registerUser(api);
      const other = await registerUser(api);
      const response = await api
        .http()
        .get(`/users/${other.id}`)
        .set(me.auth)
        .expect(200);
      expect(response.body).toEqual({
        id: other.id,
        email: other.email,
        name: other.name,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('answers 404 for an unknown id and 400 for a malformed one', async () => {
      const me = await registerUser(api);
      const notFound = await api
        .http()
        .get(`/users/${UNKNOWN_ID}`)
        .set(me.auth)
        .expect(404);
      expect(notFound.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: `User ${UNKNOWN_ID} not found`,
      });
      const bad = await api
        .http()
        .get('/users/not-a-uuid')
        .set(me.auth)
        .expect(400);
      expect(bad.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('PATCH /users/:id', () => {
    it('updates the caller and returns the updated user', async () => {
      const me = await registerUser(api);
      const before = await api.http().get('/users/me').set(me.auth).expect(200);
      const response = await api
        .http()
        .patch(`/users/${me.id}`)
        .set(me.auth)
        .send({ name: 'Renamed', email: `renamed-${me.id}@example.com` })
        .expect(200);
      expect(response.body).toMatchObject({
        id: me.id,
        name: 'Renamed',
        email: `renamed-${me.id}@example.com`,
        createdAt: before.body.createdAt,
      });
      expect(Date.parse(response.body.updatedAt)).toBeGreaterThan(
        Date.parse(before.body.updatedAt),
      );
      const after = await api.http().get('/users/me').set(me.auth).expect(200);
      expect(after.body).toEqual(response.body);
    });

    it('answers 403 for another user, 404 for an unknown one', async () => {
      const me = await registerUser(api);
      const other = await registerUser(api);
      const forbidden = await api
        .http()
        .patch(`/users/${other.id}`)
        .set(me.auth)
        .send({ name: 'Hijack' })
        .expect(403);
      expect(forbidden.body).toMatchObject({
        statusCode: 403,
        error: 'Forbidden',
      });
      await api
        .http()
        .patch(`/users/${UNKNOWN_ID}`)
        .set(me.auth)
        .send({ name: 'X' })
        .expect(404);
    });

    it('answers 409 when the new email is taken (in any case)', async () => {
      const me = await registerUser(api);
      const other = await registerUser(api);
      await api
        .http()
        .patch(`/users/${me.id}`)
        .set(me.auth)
        .send({ email: other.email.toUpperCase() })
        .expect(409);
    });

    it.each([
      ['a null name', { name: null }],
      ['a null email', { email: null }],
      ['an invalid email', { email: 'nope' }],
      ['an unknown field', { apiKeyHash: 'x' }],
    ])('answers 400 for %s', async (_case, body) => {
      const me = await registerUser(api);
      await api
        .http()
        .patch(`/users/${me.id}`)
        .set(me.auth)
        .send(body)
        .expect(400);
    });
  });

  describe('POST /users/me/api-key', () => {
    it('issues a new key and locks the old one out at once', async () => {
      const me = await registerUser(api);
      const response = await api
        .http()
        .post('/users/me/api-key')
        .set(me.auth)
        .expect(200);
      expect(response.body).toEqual({
        user: expect.objectContaining({ id: me.id, email: me.email }),
        apiKey: expect.stringMatching(/^lx_/),
      });
      expect(response.body.apiKey).not.toBe(me.apiKey);
      await api.http().get('/users/me').set(me.auth).expect(401);
      await api
        .http()
        .get('/users/me')
        .set('Authorization', `Bearer ${response.body.apiKey}`)
        .expect(200);
    });
  });

  describe('DELETE /users/:id', () => {
    it('answers 403 for another user and 404 for an unknown one', async () => {
      const me = await registerUser(api);
      const other = await registerUser(api);
      await api.http().delete(`/users/${other.id}`).set(me.auth).expect(403);
      await api.http().delete(`/users/${UNKNOWN_ID}`).set(me.auth).expect(404);
      await api.http().get(`/users/${other.id}`).set(me.auth).expect(200);
    });

    it('deletes the caller with their projects and terms', async () => {
      const me = await registerUser(api);
      const witness = await registerUser(api);
      const project = await api
        .http()
        .post('/projects')
        .set(me.auth)
        .send({ name: 'Doomed' })
        .expect(201);
      const term = await api
        .http()
        .post('/terms')
        .set(me.auth)
        .send({ projectId: project.body.id, name: 'Gone', definition: 'Soon' })
        .expect(201);

      await api.http().delete(`/users/${me.id}`).set(me.auth).expect(204, '');

      await api.http().get('/users/me').set(me.auth).expect(401);
      await api.http().get(`/users/${me.id}`).set(witness.auth).expect(404);
      await api
        .http()
        .get(`/projects/${project.body.id}`)
        .set(witness.auth)
        .expect(404);
      await api
        .http()
        .get(`/terms/${term.body.id}`)
        .set(witness.auth)
        .expect(404);
    });
  });
});
