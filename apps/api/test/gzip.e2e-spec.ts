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

interface TermView {
  id: string;
  name: string;
  definition: string;
}

/**
 * A project's terms (tens of KB of JSON) are stored gzipped once and sent
 * as stored: bytes on the wire per hit, against the plain answer.
 */
describe('gzip-encoded cached answers (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;
  let plainApi: TestApp;
  let owner: RegisteredUser;
  let projectId: string;
  let first: TermView;

  beforeAll(async () => {
    db = await createTestDatabase('gzip');
    api = await createTestApp({ env: { DATABASE_URL: db.url } });
    plainApi = await createTestApp({
      env: { DATABASE_URL: db.url, CACHE_HTTP_GZIP: 'false' },
    });
    owner = await registerUser(api);
    const project = await api
      .http()
      .post('/projects')
      .set(owner.auth)
      .send({ name: 'Glossary' })
      .expect(201);
    projectId = (project.body as { id: string }).id;
    const terms: TermView[] = [];
    for (let i = 0; i < 60; i++) {
      const res = await api
        .http()
        .post('/terms')
        .set(owner.auth)
        .send({
          projectId,
          name: `Term ${i}`,
          definition:
            `The meaning of term ${i}, as the glossary of this project explains it to new readers. `.repeat(
              4,
            ),
        })
        .expect(201);
      terms.push(res.body as TermView);
    }
    first = terms[0];
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    await plainApi?.close();
    await db?.drop();
  });

  const path = () => `/projects/${projectId}/terms`;

  it('sends the same gzip bytes on the miss and every hit, a fraction of the plain answer', async () => {
    const miss = await api
      .http()
      .get(path())
      .set(owner.auth)
      .set('Accept-Encoding', 'gzip')
      .expect(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers['content-encoding']).toBe('gzip');
    expect(miss.headers.vary).toMatch(/Accept-Encoding/);
    const hit = await api
      .http()
      .get(path())
      .set(owner.auth)
      .set('Accept-Encoding', 'gzip, deflate, br')
      .expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['content-encoding']).toBe('gzip');
    expect(hit.body).toEqual(miss.body);
    expect((hit.body as TermView[]).length).toBe(60);
    const plain = await api
      .http()
      .get(path())
      .set(owner.auth)
      .set('Accept-Encoding', 'identity')
      .expect(200);
    expect(plain.headers['x-cache']).toBe('HIT');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toEqual(hit.body);
    const wire = Number(hit.headers['content-length']);
    const plainWire = Number(plain.headers['content-length']);
    expect(plainWire).toBeGreaterThan(30_000);
    // bytes on the wire per hit: the gzip answer is under a tenth of the plain one
    expect(wire * 10).toBeLessThan(plainWire);
  });

  it('sends the changed terms, gzipped, after a write', async () => {
    await api.http().get(path()).set(owner.auth).expect(200);
    await api
      .http()
      .patch(`/terms/${first.id}`)
      .set(owner.auth)
      .send({ definition: 'Changed.' })
      .expect(200);
    const after = await api
      .http()
      .get(path())
      .set(owner.auth)
      .set('Accept-Encoding', 'gzip')
      .expect(200);
    expect(after.headers['x-cache']).toBe('MISS');
    expect(after.headers['content-encoding']).toBe('gzip');
    const changed = (after.body as TermView[]).find((t) => t.id === first.id);
    expect(changed?.definition).toBe('Changed.');
  });

  it('answers plain with CACHE_HTTP_GZIP=false', async () => {
    await plainApi.http().get(path()).set(owner.auth).expect(200);
    const hit = await plainApi
      .http()
      .get(path())
      .set(owner.auth)
      .set('Accept-Encoding', 'gzip')
      .expect(200);
    expect(hit.headers['content-encoding']).toBeUndefined();
    expect(hit.headers.vary).not.toMatch(/Accept-Encoding/);
    expect((hit.body as TermView[]).length).toBe(60);
  });
});
