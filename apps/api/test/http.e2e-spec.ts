import pg from 'pg';
import {
  createTestApp,
  registerUser,
  type TestApp,
} from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

async function countRows(
  url: string,
): Promise<{ users: number; projects: number; terms: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const count = async (table: string) =>
      Number(
        (
          await client.query<{ n: string }>(
            `SELECT count(*) AS n FROM ${table}`,
          )
        ).rows[0].n,
      );
    return {
      users: await count('users'),
      projects: await count('projects'),
      terms: await count('terms'),
    };
  } finally {
    await client.end();
  }
}

describe('HTTP behaviour and /stats (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('http');
    api = await createTestApp({
      env: { DATABASE_URL: db.url, BODY_LIMIT_BYTES: '2048' },
    });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('answers 413 in the common error shape for an oversized body', async () => {
    const response = await api
      .http()
      .post('/users')
      .set('Content-Type', 'application/json')
      .send(
        JSON.stringify({ email: 'big@example.com', name: 'x'.repeat(4096) }),
      )
      .expect(413);
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: expect.any(String),
    });
  });

  it('answers 400 in the common error shape for malformed JSON', async () => {
    const response = await api
      .http()
      .post('/users')
      .set('Content-Type', 'application/json')
      .send('{"email": ')
      .expect(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.any(String),
    });
  });

  it('answers 404 in the common error shape for an unknown route', async () => {
    const me = await registerUser(api);
    const response = await api.http().get('/nowhere').set(me.auth).expect(404);
    expect(response.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: expect.any(String),
    });
  });

  it('sets security headers', async () => {
    const response = await api.http().get('/docs').expect(200);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain(
      "script-src 'self'",
    );
    expect(response.headers['content-security-policy']).not.toContain(
      'upgrade-insecure-requests',
    );
  });

  it('counts users, projects and terms, cached until a write changes a count', async () => {
    const me = await registerUser(api);
    const other = await registerUser(api);
    const project = await api
      .http()
      .post('/projects')
      .set(me.auth)
      .send({ name: 'P' })
      .expect(201);
    await api
      .http()
      .post('/projects')
      .set(other.auth)
      .send({ name: 'Q' })
      .expect(201);
    for (const name of ['a', 'b', 'c']) {
      await api
        .http()
        .post('/terms')
        .set(me.auth)
        .send({ projectId: project.body.id, name, definition: name })
        .expect(201);
    }
    const expected = await countRows(db.url);
    const first = await api.http().get('/stats').set(other.auth).expect(200);
    expect(first.headers['x-cache']).toBe('MISS');
    expect(first.body).toEqual(expected);
    expect(expected.terms).toBeGreaterThanOrEqual(3);

    const cached = await api.http().get('/stats').set(other.auth).expect(200);
    expect([cached.headers['x-cache'], cached.body]).toEqual(['HIT', expected]);

    // a write outdates the counts (softly): the next read reloads them
    await api.http().delete(`/users/${me.id}`).set(me.auth).expect(204);
    const after = await countRows(db.url);
    expect(after.terms).toBe(expected.terms - 3);
    const second = await api.http().get('/stats').set(other.auth).expect(200);
    expect([second.headers['x-cache'], second.body]).toEqual(['MISS', after]);
  });
});
