import { Redis } from 'ioredis';
import { Gauge, register } from 'prom-client';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import type { HttpPlatform } from '../src/app.factory.js';
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
import { sampleValue } from './support/prometheus-text.js';

type Labels = Record<string, string>;

describe.each<HttpPlatform>(['fastify', 'express'])(
  'GET /metrics on %s (e2e, Redis)',
  (platform) => {
    const prefix = uniquePrefix(`metrics-${platform}`);
    let db: TestDatabase;
    let api: TestApp;
    let raw: Redis;
    let alice: RegisteredUser;

    beforeAll(async () => {
      db = await createTestDatabase(`metrics-${platform}`);
      api = await createTestApp({
        platform,
        env: {
          DATABASE_URL: db.url,
          REDIS_URL: testRedisUrl(),
          REDIS_KEY_PREFIX: prefix,
          METRICS_ENABLED: undefined,
        },
      });
      raw = new Redis(testRedisUrl());
      alice = await registerUser(api);
    });

    afterAll(async () => {
      await api?.close();
      if (raw) {
        await deleteKeysWithPrefix(raw, prefix);
        raw.disconnect();
      }
      await db?.drop();
    });

    const scrape = async (): Promise<string> => {
      const response = await api.http().get('/metrics').expect(200);
      return response.text;
    };

    it('serves the default Node process metrics in the Prometheus text format, without an API key', async () => {
      const response = await api.http().get('/metrics').expect(200);
      expect(response.headers['content-type']).toBe(
        'text/plain; version=0.0.4; charset=utf-8',
      );
      for (const name of [
        'process_cpu_user_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(response.text).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
      }
      expect(
        sampleValue(response.text, 'process_cpu_user_seconds_total', {}),
      ).toBeGreaterThan(0);
    });

    it('is never cached', async () => {
      const first = await api.http().get('/metrics').expect(200);
      const second = await api.http().get('/metrics').expect(200);
      expect(second.headers['cache-control']).toBe('no-store');
      // not through the cache (Express still adds its weak ETag to any body)
      expect(second.headers['x-cache']).toBeUndefined();
      expect(second.text).not.toBe(first.text);
    });

    it('serves every metric on the default registry, not only its own', async () => {
      const gauge = new Gauge({
        name: 'lexikon_cache_e2e_probe',
        help: 'registered by the test, as the cache library will register its own',
        registers: [register],
      });
      try {
        gauge.set(42);
        expect(sampleValue(await scrape(), 'lexikon_cache_e2e_probe', {})).toBe(
          42,
        );
      } finally {
        register.removeSingleMetric('lexikon_cache_e2e_probe');
      }
    });

    it('counts requests by method, route template and the status sent, cache hits and 304s included', async () => {
      const labels = (status: string): Labels => ({
        method: 'GET',
        route: '/users/:id',
        status,
      });
      const before = await scrape();
      const path = `/users/${alice.id}`;
      const miss = await api.http().get(path).set(alice.auth).expect(200);
      const hit = await api.http().get(path).set(alice.auth).expect(200);
      expect([miss.headers['x-cache'], hit.headers['x-cache']]).toEqual([
        'MISS',
        'HIT',
      ]);
      await api
        .http()
        .get(path)
        .set(alice.auth)
        .set('If-None-Match', String(hit.headers.etag))
        .expect(304);
      await api
        .http()
        .get('/users/00000000-0000-4000-8000-000000000000')
        .set(alice.auth)
        .expect(404);
      const after = await scrape();
      const name = 'lexikon_http_requests_total';
      const delta = (status: string) =>
        sampleValue(after, name, labels(status)) -
        sampleValue(before, name, labels(status));
      expect({
        200: delta('200'),
        304: delta('304'),
        404: delta('404'),
      }).toEqual({ 200: 2, 304: 1, 404: 1 });
      // the URL itself is never a label
      expect(after).not.toContain(alice.id);
    });

    it('is not in the OpenAPI document', async () => {
      const response = await api.http().get('/docs-json').expect(200);
      const paths = Object.keys((response.body as { paths: object }).paths);
      expect(paths).toContain('/users/me');
      expect(paths.filter((path) => path.startsWith('/metrics'))).toEqual([]);
    });
  },
);

describe('GET /metrics with METRICS_ENABLED=false (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('metrics-off');
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: undefined,
        REDIS_HOST: undefined,
        METRICS_ENABLED: 'false',
      },
    });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('is not a route: 404, with or without an API key', async () => {
    const user = await registerUser(api);
    await api.http().get('/metrics').expect(404);
    await api.http().get('/metrics').set(user.auth).expect(404);
    // the rest of the app is unaffected
    await api.http().get('/users/me').set(user.auth).expect(200);
  });
});
