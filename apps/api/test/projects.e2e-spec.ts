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

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('projects (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;
  let owner: RegisteredUser;
  let stranger: RegisteredUser;

  beforeAll(async () => {
    db = await createTestDatabase('projects');
    api = await createTestApp({ env: { DATABASE_URL: db.url } });
    owner = await registerUser(api);
    stranger = await registerUser(api);
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  async function createProject(body: Record<string, unknown>, user = owner) {
    const response = await api
      .http()
      .post('/projects')
      .set(user.auth)
      .send(body)
      .expect(201);
    return response.body as {
      id: string;
      name: string;
      description: string | null;
      ownerId: string;
    };
  }

  describe('POST /projects', () => {
    it('creates a project owned by the caller', async () => {
      const response = await api
        .http()
        .post('/projects')
        .set(owner.auth)
        .send({ name: '  Kitchen  ', description: 'Cooking' })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Kitchen',
        description: 'Cooking',
        ownerId: owner.id,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('defaults the description to null', async () => {
      expect((await createProject({ name: 'Bare' })).description).toBeNull();
    });

    it.each([
      ['a missing name', { description: 'x' }],
      ['an empty name', { name: '' }],
      ['a too long name', { name: 'x'.repeat(201) }],
      ['an unknown field', { name: 'x', ownerId: UNKNOWN_ID }],
      ['a numeric description', { name: 'x', description: 5 }],
    ])('answers 400 for %s', async (_case, body) => {
      const response = await api
        .http()
        .post('/projects')
        .set(owner.auth)
        .send(body)
        .expect(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
      });
    });
  });

  describe('GET /projects/:id', () => {
    it('returns any project to any user', async () => {
      const project = await createProject({ name: 'Visible' });
      const response = await api
        .http()
        .get(`/projects/${project.id}`)
        .set(stranger.auth)
        .expect(200);
      expect(response.body).toEqual(
        expect.objectContaining({ id: project.id, ownerId: owner.id }),
      );
    });

    it('answers 404 and 400', async () => {
      const notFound = await api
        .http()
        .get(`/projects/${UNKNOWN_ID}`)
        .set(owner.auth)
        .expect(404);
      expect(notFound.body).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: `Project ${UNKNOWN_ID} not found`,
      });
      await api.http().get('/projects/123').set(owner.auth).expect(400);
    });
  });

  describe('GET /projects', () => {
    let pagingDb: TestDatabase;
    let pagingApi: TestApp;
    let user: RegisteredUser;
    const ids: string[] = [];

    beforeAll(async () => {
      pagingDb = await createTestDatabase('projects_paging');
      pagingApi = await createTestApp({ env: { DATABASE_URL: pagingDb.url } });
      user = await registerUser(pagingApi);
      for (let i = 1; i <= 25; i += 1) {
        const response = await pagingApi
          .http()
          .post('/projects')
          .set(user.auth)
          .send({ name: `P${i}` })
          .expect(201);
        ids.push(response.body.id as string);
      }
    });

    afterAll(async () => {
      await pagingApi?.close();
      await pagingDb?.drop();
    });

    it('pages with defaults page=1 limit=20, oldest first', async () => {
      const response = await pagingApi
        .http()
        .get('/projects')
        .set(user.auth)
        .expect(200);
      expect(response.body).toMatchObject({ page: 1, limit: 20, total: 25 });
      expect(response.body.items).toHaveLength(20);
      expect(response.body.items.map((p: { id: string }) => p.id)).toEqual(
        ids.slice(0, 20),
      );
    });

    it('returns the requested page', async () => {
      const response = await pagingApi
        .http()
        .get('/projects?page=2&limit=10')
        .set(user.auth)
        .expect(200);
      expect(response.body).toMatchObject({ page: 2, limit: 10, total: 25 });
      expect(response.body.items.map((p: { id: string }) => p.id)).toEqual(
        ids.slice(10, 20),
      );
    });

    it('returns an empty page past the end', async () => {
      const response = await pagingApi
        .http()
        .get('/projects?page=4&limit=10')
        .set(user.auth)
        .expect(200);
      expect(response.body).toEqual({
        items: [],
        page: 4,
        limit: 10,
        total: 25,
      });
    });

    it('accepts limit=100 and limit=1', async () => {
      await pagingApi
        .http()
        .get('/projects?limit=100')
        .set(user.auth)
        .expect(200);
      const one = await pagingApi
        .http()
        .get('/projects?limit=1')
        .set(user.auth)
        .expect(200);
      expect(one.body.items).toHaveLength(1);
    });

    it.each([
      'page=0',
      'page=-1',
      'page=abc',
      'page=1.5',
      'limit=0',
      'limit=101',
      'limit=x',
      'sort=name',
    ])('answers 400 for %s', async (query) => {
      const response = await pagingApi
        .http()
        .get(`/projects?${query}`)
        .set(user.auth)
        .expect(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
      });
    });
  });

  describe('PATCH /projects/:id', () => {
    it('lets the owner rename and clear the description', async () => {
      const project = await createProject({ name: 'Old', description: 'Desc' });
      const response = await api
        .http()
        .patch(`/projects/${project.id}`)
        .set(owner.auth)
        .send({ name: 'New', description: null })
        .expect(200);
      expect(response.body).toMatchObject({
        id: project.id,
        name: 'New',
        description: null,
      });
      const fetched = await api
        .http()
        .get(`/projects/${project.id}`)
        .set(owner.auth)
        .expect(200);
      expect(fetched.body).toEqual(response.body);
    });

    it('answers 403 to anyone else, 404 for unknown projects', async () => {
      const project = await createProject({ name: 'Mine' });
      const response = await api
        .http()
        .patch(`/projects/${project.id}`)
        .set(stranger.auth)
        .send({ name: 'Theirs' })
        .expect(403);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Only the owner may change or delete this project',
      });
      await api
        .http()
        .patch(`/projects/${UNKNOWN_ID}`)
        .set(owner.auth)
        .send({ name: 'X' })
        .expect(404);
    });

    it('answers 400 for a null name', async () => {
      const project = await createProject({ name: 'Named' });
      await api
        .http()
        .patch(`/projects/${project.id}`)
        .set(owner.auth)
        .send({ name: null })
        .expect(400);
    });
  });

  describe('GET /projects/:id/terms', () => {
    it('lists the project’s terms, oldest first', async () => {
      const project = await createProject({ name: 'Glossary' });
      const names = ['First', 'Second', 'Third'];
      for (const name of names) {
        await api
          .http()
          .post('/terms')
          .set(owner.auth)
          .send({ projectId: project.id, name, definition: `${name} def` })
          .expect(201);
      }
      const response = await api
        .http()
        .get(`/projects/${project.id}/terms`)
        .set(stranger.auth)
        .expect(200);
      expect(response.body.map((t: { name: string }) => t.name)).toEqual(names);
      expect(response.body[0]).toEqual({
        id: expect.any(String),
        name: 'First',
        definition: 'First def',
        projectId: project.id,
        createdById: owner.id,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('returns [] for a project without terms and 404 for an unknown one', async () => {
      const project = await createProject({ name: 'Empty' });
      const response = await api
        .http()
        .get(`/projects/${project.id}/terms`)
        .set(owner.auth)
        .expect(200);
      expect(response.body).toEqual([]);
      await api
        .http()
        .get(`/projects/${UNKNOWN_ID}/terms`)
        .set(owner.auth)
        .expect(404);
    });
  });

  describe('DELETE /projects/:id', () => {
    it('answers 403 to anyone but the owner', async () => {
      const project = await createProject({ name: 'Keep' });
      await api
        .http()
        .delete(`/projects/${project.id}`)
        .set(stranger.auth)
        .expect(403);
      await api
        .http()
        .get(`/projects/${project.id}`)
        .set(owner.auth)
        .expect(200);
    });

    it('deletes the project and its terms', async () => {
      const project = await createProject({ name: 'Drop' });
      const term = await api
        .http()
        .post('/terms')
        .set(owner.auth)
        .send({ projectId: project.id, name: 'T', definition: 'D' })
        .expect(201);
      await api
        .http()
        .delete(`/projects/${project.id}`)
        .set(owner.auth)
        .expect(204, '');
      await api
        .http()
        .get(`/projects/${project.id}`)
        .set(owner.auth)
        .expect(404);
      await api
        .http()
        .get(`/terms/${term.body.id}`)
        .set(owner.auth)
        .expect(404);
      await api
        .http()
        .delete(`/projects/${project.id}`)
        .set(owner.auth)
        .expect(404);
    });
  });
});
