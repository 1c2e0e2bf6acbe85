import { Logger, RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService } from '@nestjs/core';
import { jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { hashApiKey } from '../src/auth/api-key.js';
import { CACHEABLE_METADATA } from '../../../libs/lexikon-cache/src/nest/lexikon-cache.constants.js';
import {
  createTestApp,
  registerUser,
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

/** `GET /terms/:id` for every `@Cacheable` handler, `Class.method` for every cached provider method. */
function cachedHandlers(app: INestApplication): {
  routes: string[];
  methods: string[];
} {
  const discovery = app.get(DiscoveryService, { strict: false });
  const routes: string[] = [];
  const methods: string[] = [];
  const visit = (
    instance: unknown,
    each: (proto: object, name: string, handler: object) => void,
  ) => {
    const proto =
      instance && typeof instance === 'object'
        ? (Object.getPrototypeOf(instance) as object)
        : null;
    if (!proto) return;
    for (const name of Object.getOwnPropertyNames(proto)) {
      // descriptors, not values: a getter must not run
      const handler = Object.getOwnPropertyDescriptor(proto, name)
        ?.value as unknown;
      if (typeof handler !== 'function' || name === 'constructor') continue;
      if (Reflect.getMetadata(CACHEABLE_METADATA, handler) !== undefined) {
        each(proto, name, handler);
      }
    }
  };
  for (const c of discovery.getControllers()) {
    visit(c.instance, (proto, _name, handler) => {
      const parts = [
        Reflect.getMetadata(PATH_METADATA, proto.constructor) as string,
        Reflect.getMetadata(PATH_METADATA, handler) as string,
      ].filter((p) => p && p !== '/');
      const verb =
        RequestMethod[
          Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod
        ];
      routes.push(`${verb} /${parts.join('/')}`);
    });
  }
  for (const p of discovery.getProviders()) {
    if (p.isAlias) continue;
    visit(p.instance, (proto, name) => {
      methods.push(`${proto.constructor.name}.${name}`);
    });
  }
  return { routes: routes.sort(), methods: [...new Set(methods)].sort() };
}

/**
 * What the API caches holds no field that looks secret: with the guard
 * strict, a cached route whose value tripped it would answer 500.
 */
describe('the API caches nothing that looks secret (e2e, strict guard)', () => {
  const prefix = uniquePrefix('api-sensitive');
  let db: TestDatabase;
  let api: TestApp;
  let raw: Redis;
  const warned: string[] = [];
  let warn: { mockRestore(): void };

  beforeAll(async () => {
    warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((m: unknown) => void warned.push(String(m)));
    db = await createTestDatabase('sensitive');
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: prefix,
        CACHE_SENSITIVE_GUARD: 'strict',
      },
    });
    raw = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await api?.close();
    await deleteKeysWithPrefix(raw, prefix);
    raw.disconnect();
    await db?.drop();
    warn.mockRestore();
  });

  it('caches every cached route and method without tripping the guard', async () => {
    const alice = await registerUser(api, { name: 'Alice' });
    const project = (
      await api
        .http()
        .post('/projects')
        .set(alice.auth)
        .send({ name: 'Guarded', description: 'Nothing secret' })
        .expect(201)
    ).body as { id: string };
    const term = (
      await api
        .http()
        .post('/terms')
        .set(alice.auth)
        .send({
          projectId: project.id,
          name: 'guard',
          definition: 'keeps secrets out',
        })
        .expect(201)
    ).body as { id: string };

    const paths: Record<string, string> = {
      'GET /users/me': '/users/me',
      'GET /users/:id': `/users/${alice.id}`,
      'GET /projects': '/projects?page=1&limit=10',
      'GET /projects/:id': `/projects/${project.id}`,
      'GET /projects/:id/terms': `/projects/${project.id}/terms`,
      'GET /terms/search': '/terms/search?q=guard',
      'GET /terms/:id': `/terms/${term.id}`,
      'GET /stats': '/stats',
    };
    const cached = cachedHandlers(api.app);
    // a new cached route must be added here
    expect(Object.keys(paths).sort()).toEqual(cached.routes);
    expect(cached.methods).toEqual(['UsersService.findByApiKeyHash']);

    for (const path of Object.values(paths)) {
      await api.http().get(path).set(alice.auth).expect(200);
      const again = await api.http().get(path).set(alice.auth).expect(200);
      expect([path, again.headers['x-cache']]).toEqual([path, 'HIT']);
    }
    // every authenticated request went through the cached key lookup
    expect(await raw.exists(`${prefix}auth:${hashApiKey(alice.apiKey)}`)).toBe(
      1,
    );
    expect(warned.filter((m) => m.includes('looks secret'))).toEqual([]);
  });
});
