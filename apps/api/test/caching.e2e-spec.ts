import { Redis } from 'ioredis';
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
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';

interface Project {
  id: string;
  name: string;
  ownerId: string;
}
interface Term {
  id: string;
  name: string;
  definition: string;
  projectId: string;
}

/**
 * The API on real PostgreSQL and Redis: reads are cached, and after any write
 * has returned every later read, by any user, on any route, reflects it.
 */
describe('caching (e2e, Redis)', () => {
  const prefix = uniquePrefix('api-cache');
  let db: TestDatabase;
  let api: TestApp;
  let raw: Redis;
  let alice: RegisteredUser;
  let bob: RegisteredUser;

  beforeAll(async () => {
    db = await createTestDatabase('caching');
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: prefix,
      },
    });
    raw = new Redis(testRedisUrl());
    alice = await registerUser(api, { name: 'Alice' });
    bob = await registerUser(api, { name: 'Bob' });
  });

  afterAll(async () => {
    await api?.close();
    await deleteKeysWithPrefix(raw, prefix);
    raw.disconnect();
    await db?.drop();
  });

  const get = (path: string, user: RegisteredUser) =>
    api.http().get(path).set(user.auth);

  /** Reads twice; the second must be a hit with the same body. */
  async function cachedRead(
    path: string,
    user: RegisteredUser,
  ): Promise<unknown> {
    const first = await get(path, user).expect(200);
    const second = await get(path, user).expect(200);
    expect(second.headers['x-cache']).toBe('HIT');
    expect(second.body).toEqual(first.body);
    return first.body;
  }

  async function newProject(
    owner: RegisteredUser,
    name: string,
  ): Promise<Project> {
    return (
      await api
        .http()
        .post('/projects')
        .set(owner.auth)
        .send({ name })
        .expect(201)
    ).body as Project;
  }

  async function newTerm(
    owner: RegisteredUser,
    projectId: string,
    name: string,
  ): Promise<Term> {
    return (
      await api
        .http()
        .post('/terms')
        .set(owner.auth)
        .send({ projectId, name, definition: `${name} means something` })
        .expect(201)
    ).body as Term;
  }

  it('serves repeated reads of every cached route from the cache', async () => {
    const project = await newProject(alice, 'Cached');
    const term = await newTerm(alice, project.id, 'cached-term');
    for (const path of [
      '/users/me',
      `/users/${alice.id}`,
      '/projects?page=1&limit=10',
      '/projects',
      `/projects/${project.id}`,
      `/projects/${project.id}/terms`,
      `/terms/${term.id}`,
      '/terms/search?q=cached',
      '/stats',
    ]) {
      await cachedRead(path, alice);
    }
    expect(await raw.exists(`${prefix}project:${project.id}`)).toBe(1);
  });

  it('shows a project rename on every route that shows the project', async () => {
    const project = await newProject(alice, 'Before');
    const term = await newTerm(alice, project.id, 'rename-term');
    await cachedRead(`/projects/${project.id}`, bob);
    await cachedRead(`/projects/${project.id.toUpperCase()}`, bob);
    await cachedRead('/projects?page=1&limit=100', bob);
    await cachedRead(`/projects/${project.id}/terms`, bob);
    await api
      .http()
      .patch(`/projects/${project.id}`)
      .set(alice.auth)
      .send({ name: 'After' })
      .expect(200);
    for (const user of [alice, bob]) {
      expect(
        (await get(`/projects/${project.id}`, user).expect(200)).body.name,
      ).toBe('After');
      expect(
        (await get(`/projects/${project.id.toUpperCase()}`, user).expect(200))
          .body.name,
      ).toBe('After');
      const page = (await get('/projects?page=1&limit=100', user).expect(200))
        .body as {
        items: Project[];
      };
      expect(page.items.find((p) => p.id === project.id)?.name).toBe('After');
    }
    const terms = (await get(`/projects/${project.id}/terms`, bob).expect(200))
      .body as Term[];
    expect(terms.map((t) => t.id)).toEqual([term.id]);
  });

  it('shows term writes in the term, its project list and the search', async () => {
    const project = await newProject(alice, 'Terms');
    const term = await newTerm(alice, project.id, 'alpha');
    await cachedRead(`/terms/${term.id}`, bob);
    await cachedRead(`/projects/${project.id}/terms`, bob);
    await cachedRead('/terms/search?q=alp', alice);

    await api
      .http()
      .patch(`/terms/${term.id}`)
      .set(alice.auth)
      .send({ name: 'alphabet', definition: 'letters' })
      .expect(200);
    expect(
      (await get(`/terms/${term.id}`, bob).expect(200)).body,
    ).toMatchObject({
      name: 'alphabet',
      definition: 'letters',
    });
    expect(
      ((await get(`/projects/${project.id}/terms`, bob)).body as Term[])[0]
        .name,
    ).toBe('alphabet');
    expect(
      ((await get('/terms/search?q=alp', alice)).body as Term[]).map(
        (t) => t.name,
      ),
    ).toContain('alphabet');

    const second = await newTerm(alice, project.id, 'alpine');
    expect(
      ((await get(`/projects/${project.id}/terms`, bob)).body as Term[]).map(
        (t) => t.id,
      ),
    ).toEqual([term.id, second.id]);
    expect(
      ((await get('/terms/search?q=alp', alice)).body as Term[]).map(
        (t) => t.id,
      ),
    ).toContain(second.id);

    await api.http().delete(`/terms/${term.id}`).set(alice.auth).expect(204);
    await get(`/terms/${term.id}`, bob).expect(404);
    expect(
      ((await get(`/projects/${project.id}/terms`, bob)).body as Term[]).map(
        (t) => t.id,
      ),
    ).toEqual([second.id]);
    expect(
      ((await get('/terms/search?q=alp', alice)).body as Term[]).map(
        (t) => t.id,
      ),
    ).not.toContain(term.id);
  });

  it('invalidates exactly what a write changes, not its neighbours', async () => {
    const project = await newProject(alice, 'Neighbours');
    const one = await newTerm(alice, project.id, 'one');
    const two = await newTerm(alice, project.id, 'two');
    await cachedRead(`/terms/${one.id}`, bob);
    await cachedRead(`/terms/${two.id}`, bob);
    await cachedRead(`/projects/${project.id}`, bob);
    await cachedRead(`/projects/${project.id}/terms`, bob);
    await api
      .http()
      .patch(`/terms/${one.id}`)
      .set(alice.auth)
      .send({ name: 'uno' })
      .expect(200);
    expect((await get(`/terms/${two.id}`, bob)).headers['x-cache']).toBe('HIT');
    expect((await get(`/projects/${project.id}`, bob)).headers['x-cache']).toBe(
      'HIT',
    );
    const list = await get(`/projects/${project.id}/terms`, bob).expect(200);
    expect(list.headers['x-cache']).toBe('MISS');
    expect((list.body as Term[]).map((t) => t.name)).toEqual(['uno', 'two']);
    const renamed = await get(`/terms/${one.id}`, bob).expect(200);
    expect(renamed.headers['x-cache']).toBe('MISS');
    expect(renamed.body.name).toBe('uno');
  });

  it('leaves nothing of a deleted project in any cached response', async () => {
    const project = await newProject(alice, 'Doomed');
    const term = await newTerm(alice, project.id, 'doomed-term');
    await cachedRead(`/projects/${project.id}`, bob);
    await cachedRead(`/projects/${project.id}/terms`, bob);
    await cachedRead(`/terms/${term.id}`, bob);
    await cachedRead('/projects?page=1&limit=100', bob);
    await cachedRead('/terms/search?q=doomed', alice);
    await api
      .http()
      .delete(`/projects/${project.id}`)
      .set(alice.auth)
      .expect(204);
    await get(`/projects/${project.id}`, bob).expect(404);
    await get(`/projects/${project.id}/terms`, bob).expect(404);
    await get(`/terms/${term.id}`, bob).expect(404);
    const page = (await get('/projects?page=1&limit=100', bob)).body as {
      items: Project[];
    };
    expect(page.items.map((p) => p.id)).not.toContain(project.id);
    expect((await get('/terms/search?q=doomed', alice)).body).toEqual([]);
  });

  it('shows a user update and leaves nothing of a deleted user', async () => {
    const carol = await registerUser(api, { name: 'Carol' });
    const project = await newProject(carol, 'Carols');
    const term = await newTerm(carol, project.id, 'carol-term');
    await cachedRead('/users/me', carol);
    await cachedRead(`/users/${carol.id}`, bob);
    await cachedRead(`/projects/${project.id}`, bob);
    await cachedRead(`/projects/${project.id}/terms`, bob);
    await cachedRead(`/terms/${term.id}`, bob);
    await cachedRead('/projects?page=1&limit=100', bob);

    await api
      .http()
      .patch(`/users/${carol.id}`)
      .set(carol.auth)
      .send({ name: 'Caroline' })
      .expect(200);
    expect((await get('/users/me', carol).expect(200)).body.name).toBe(
      'Caroline',
    );
    expect((await get(`/users/${carol.id}`, bob).expect(200)).body.name).toBe(
      'Caroline',
    );

    await api.http().delete(`/users/${carol.id}`).set(carol.auth).expect(204);
    await get('/users/me', carol).expect(401);
    await get(`/users/${carol.id}`, bob).expect(404);
    await get(`/projects/${project.id}`, bob).expect(404);
    await get(`/projects/${project.id}/terms`, bob).expect(404);
    await get(`/terms/${term.id}`, bob).expect(404);
    const page = (await get('/projects?page=1&limit=100', bob)).body as {
      items: Project[];
    };
    expect(page.items.map((p) => p.id)).not.toContain(project.id);
  });

  it('locks a rotated API key out at once, although key lookups are cached', async () => {
    const dave = await registerUser(api);
    await cachedRead('/users/me', dave);
    expect(await raw.exists(`${prefix}auth:${await sha256(dave.apiKey)}`)).toBe(
      1,
    );
    const rotated = await api
      .http()
      .post('/users/me/api-key')
      .set(dave.auth)
      .expect(200);
    await get('/users/me', dave).expect(401);
    const fresh = {
      ...dave,
      auth: { Authorization: `Bearer ${rotated.body.apiKey as string}` },
    };
    expect((await get('/users/me', fresh).expect(200)).body.id).toBe(dave.id);
  });

  it("never serves one user's /users/me or search to another", async () => {
    const project = await newProject(alice, 'Private');
    await newTerm(alice, project.id, 'secret-word');
    const mine = await cachedRead('/users/me', alice);
    const theirs = (await get('/users/me', bob).expect(200)).body;
    expect((mine as { id: string }).id).toBe(alice.id);
    expect((theirs as { id: string }).id).toBe(bob.id);
    expect(
      ((await cachedRead('/terms/search?q=secret', alice)) as Term[]).length,
    ).toBe(1);
    expect((await get('/terms/search?q=secret', bob).expect(200)).body).toEqual(
      [],
    );
  });

  it('searches with %, _ and \\ literally, cached per query', async () => {
    const project = await newProject(alice, 'Literal');
    await newTerm(alice, project.id, '100% pure');
    await newTerm(alice, project.id, 'snake_case');
    await newTerm(alice, project.id, 'back\\slash');
    await newTerm(alice, project.id, 'plain');
    const names = async (q: string) =>
      (
        (
          await get(`/terms/search?q=${encodeURIComponent(q)}`, alice).expect(
            200,
          )
        ).body as Term[]
      ).map((t) => t.name);
    expect(await names('%')).toEqual(['100% pure']);
    expect(await names('_')).toEqual(['snake_case']);
    expect(await names('\\')).toEqual(['back\\slash']);
    expect(await names('%')).toEqual(['100% pure']);
    expect((await get('/terms/search?q=%25', alice)).headers['x-cache']).toBe(
      'HIT',
    );
  });

  it('does not serve a cached page to a request the validation rejects', async () => {
    await cachedRead('/projects', alice);
    await get('/projects?sort=name', alice).expect(400);
    await get('/projects?limit=1000', alice).expect(400);
  });
});

async function sha256(text: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(text).digest('hex');
}
