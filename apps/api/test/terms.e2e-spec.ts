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

interface TermBody {
  id: string;
  name: string;
  definition: string;
  projectId: string;
  createdById: string;
}

describe('terms (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;
  let owner: RegisteredUser;
  let stranger: RegisteredUser;
  let projectId: string;
  let strangersProjectId: string;

  beforeAll(async () => {
    db = await createTestDatabase('terms');
    api = await createTestApp({ env: { DATABASE_URL: db.url } });
    owner = await registerUser(api);
    stranger = await registerUser(api);
    projectId = (
      await api
        .http()
        .post('/projects')
        .set(owner.auth)
        .send({ name: 'Mine' })
        .expect(201)
    ).body.id;
    strangersProjectId = (
      await api
        .http()
        .post('/projects')
        .set(stranger.auth)
        .send({ name: 'Theirs' })
        .expect(201)
    ).body.id;
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  async function createTerm(
    name: string,
    user = owner,
    project = projectId,
  ): Promise<TermBody> {
    const response = await api
      .http()
      .post('/terms')
      .set(user.auth)
      .send({ projectId: project, name, definition: `About ${name}` })
      .expect(201);
    return response.body as TermBody;
  }

  describe('POST /terms', () => {
    it('adds a term to a project the caller owns', async () => {
      const response = await api
        .http()
        .post('/terms')
        .set(owner.auth)
        .send({ projectId, name: ' Roux ', definition: 'Flour and fat.' })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'Roux',
        definition: 'Flour and fat.',
        projectId,
        createdById: owner.id,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
    });

    it('answers 403 for someone else’s project', async () => {
      const response = await api
        .http()
        .post('/terms')
        .set(owner.auth)
        .send({
          projectId: strangersProjectId,
          name: 'Sneaky',
          definition: 'No',
        })
        .expect(403);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Terms can only be added to your own projects',
      });
    });

    it('answers 404 for an unknown project', async () => {
      const response = await api
        .http()
        .post('/terms')
        .set(owner.auth)
        .send({ projectId: UNKNOWN_ID, name: 'Orphan', definition: 'No' })
        .expect(404);
      expect(response.body.message).toBe(`Project ${UNKNOWN_ID} not found`);
    });

    it.each([
      [
        'a malformed project id',
        { projectId: 'nope', name: 'X', definition: 'Y' },
      ],
      ['a missing definition', { projectId: UNKNOWN_ID, name: 'X' }],
      ['an empty name', { projectId: UNKNOWN_ID, name: ' ', definition: 'Y' }],
      [
        'an unknown field',
        {
          projectId: UNKNOWN_ID,
          name: 'X',
          definition: 'Y',
          createdById: UNKNOWN_ID,
        },
      ],
    ])('answers 400 for %s', async (_case, body) => {
      await api.http().post('/terms').set(owner.auth).send(body).expect(400);
    });
  });

  describe('GET /terms/:id', () => {
    it('returns any term to any user; 404 unknown; 400 malformed', async () => {
      const term = await createTerm('Readable');
      const response = await api
        .http()
        .get(`/terms/${term.id}`)
        .set(stranger.auth)
        .expect(200);
      expect(response.body).toEqual(
        expect.objectContaining({ id: term.id, name: 'Readable' }),
      );
      await api.http().get(`/terms/${UNKNOWN_ID}`).set(owner.auth).expect(404);
      await api.http().get('/terms/xyz').set(owner.auth).expect(400);
    });
  });

  describe('PATCH /terms/:id', () => {
    it('lets the creator change name and definition', async () => {
      const term = await createTerm('Draft');
      const response = await api
        .http()
        .patch(`/terms/${term.id}`)
        .set(owner.auth)
        .send({ name: 'Final', definition: 'Done' })
        .expect(200);
      expect(response.body).toMatchObject({
        id: term.id,
        name: 'Final',
        definition: 'Done',
        projectId,
      });
    });

    it('answers 403 to anyone else, 404 unknown, 400 bad body', async () => {
      const term = await createTerm('Guarded');
      await api
        .http()
        .patch(`/terms/${term.id}`)
        .set(stranger.auth)
        .send({ name: 'X' })
        .expect(403);
      await api
        .http()
        .patch(`/terms/${UNKNOWN_ID}`)
        .set(owner.auth)
        .send({ name: 'X' })
        .expect(404);
      await api
        .http()
        .patch(`/terms/${term.id}`)
        .set(owner.auth)
        .send({ projectId })
        .expect(400);
      await api
        .http()
        .patch(`/terms/${term.id}`)
        .set(owner.auth)
        .send({ definition: null })
        .expect(400);
    });
  });

  describe('DELETE /terms/:id', () => {
    it('lets only the creator delete', async () => {
      const term = await createTerm('Ephemeral');
      await api
        .http()
        .delete(`/terms/${term.id}`)
        .set(stranger.auth)
        .expect(403);
      await api
        .http()
        .delete(`/terms/${term.id}`)
        .set(owner.auth)
        .expect(204, '');
      await api.http().get(`/terms/${term.id}`).set(owner.auth).expect(404);
      await api.http().delete(`/terms/${term.id}`).set(owner.auth).expect(404);
    });
  });

  describe('GET /terms/search', () => {
    let searcher: RegisteredUser;
    let other: RegisteredUser;

    beforeAll(async () => {
      searcher = await registerUser(api);
      other = await registerUser(api);
      const mine = (
        await api
          .http()
          .post('/projects')
          .set(searcher.auth)
          .send({ name: 'S' })
          .expect(201)
      ).body.id as string;
      const theirs = (
        await api
          .http()
          .post('/projects')
          .set(other.auth)
          .send({ name: 'O' })
          .expect(201)
      ).body.id as string;
      for (const name of [
        '100% pure',
        '100 percent',
        'snake_case',
        'snakeXcase',
        'back\\slash',
        'backslash',
        'Apple pie',
        'apple tart',
      ]) {
        await createTerm(name, searcher, mine);
      }
      for (const name of ['100% theirs', 'apple of their eye']) {
        await createTerm(name, other, theirs);
      }
    });

    async function search(q: string, user = searcher): Promise<string[]> {
      const response = await api
        .http()
        .get('/terms/search')
        .query({ q })
        .set(user.auth)
        .expect(200);
      return (response.body as TermBody[]).map((term) => term.name);
    }

    it('matches case-insensitively, only the caller’s terms, ordered by name', async () => {
      expect(await search('APPLE')).toEqual(['Apple pie', 'apple tart']);
      expect(await search('apple', other)).toEqual(['apple of their eye']);
    });

    it('treats % literally', async () => {
      expect(await search('%')).toEqual(['100% pure']);
      expect(await search('100%')).toEqual(['100% pure']);
    });

    it('treats _ literally', async () => {
      expect(await search('_')).toEqual(['snake_case']);
      expect(await search('e_c')).toEqual(['snake_case']);
    });

    it('treats \\ literally', async () => {
      expect(await search('\\')).toEqual(['back\\slash']);
      expect(await search('k\\s')).toEqual(['back\\slash']);
    });

    it('returns the full term and [] when nothing matches', async () => {
      const response = await api
        .http()
        .get('/terms/search?q=pie')
        .set(searcher.auth)
        .expect(200);
      expect(response.body).toEqual([
        expect.objectContaining({
          name: 'Apple pie',
          createdById: searcher.id,
        }),
      ]);
      expect(await search('zzz')).toEqual([]);
    });

    it.each([
      ['a missing q', ''],
      ['an empty q', '?q='],
      ['a q over 100 characters', `?q=${'a'.repeat(101)}`],
      ['an unknown parameter', '?q=a&limit=5'],
    ])('answers 400 for %s', async (_case, query) => {
      const response = await api
        .http()
        .get(`/terms/search${query}`)
        .set(searcher.auth)
        .expect(400);
      expect(response.body).toMatchObject({
        statusCode: 400,
        error: 'Bad Request',
      });
    });

    it('accepts a q of exactly 100 characters', async () => {
      expect(await search('a'.repeat(100))).toEqual([]);
    });
  });
});
