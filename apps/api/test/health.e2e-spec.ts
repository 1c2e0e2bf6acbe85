import { ServiceUnavailableException } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { Response } from 'supertest';
import { createApp } from '../src/app.factory.js';
import { HealthController } from '../src/health/health.controller.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

const PROBES = ['/health/live', '/health/ready', '/health/startup'] as const;
/** Every probe must answer within this, whatever PostgreSQL and Redis do. */
const PROBE_BUDGET_MS = 1500;

interface Probe {
  status: number;
  body: {
    status: string;
    info: Record<string, { status: string; [key: string]: unknown }>;
    error: Record<string, { status: string; [key: string]: unknown }>;
    details: Record<string, { status: string; [key: string]: unknown }>;
  };
  headers: Record<string, string | undefined>;
  ms: number;
}

async function probe(api: TestApp, path: string): Promise<Probe> {
  const started = performance.now();
  const response: Response = await api.http().get(path);
  return {
    status: response.status,
    body: response.body as Probe['body'],
    headers: response.headers as Record<string, string | undefined>,
    ms: performance.now() - started,
  };
}

/** The three probes at once: `{ live, ready, startup }`. */
async function probeAll(
  api: TestApp,
): Promise<{ live: Probe; ready: Probe; startup: Probe }> {
  const [live, ready, startup] = await Promise.all(
    PROBES.map((path) => probe(api, path)),
  );
  return { live, ready, startup };
}

function pgTarget(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 5432) };
}

describe('health probes (e2e)', () => {
  let db: TestDatabase;
  let redis: RedisServerProcess;
  let redisProxy: FaultProxy;
  let pgProxy: FaultProxy;
  let api: TestApp;
  let keyPrefix: string;

  beforeAll(async () => {
    db = await createTestDatabase('health');
    redis = await RedisServerProcess.start();
    redisProxy = await FaultProxy.start({ host: redis.host, port: redis.port });
    pgProxy = await FaultProxy.start(pgTarget(db.url));
    keyPrefix = uniquePrefix('health');
    api = await createTestApp({
      env: {
        DATABASE_URL: pgProxy.urlFor(db.url),
        REDIS_URL: redisProxy.url(),
        REDIS_KEY_PREFIX: keyPrefix,
        REDIS_COMMAND_TIMEOUT_MS: '250',
        CACHE_REQUIRED_FOR_READINESS: 'false',
      },
    });
  });

  afterEach(async () => {
    await pgProxy?.setMode('pass');
    await redisProxy?.setMode('pass');
    // ioredis and the pool reconnect on their own; start each test healthy
    await expectEventually(
      async () => (await probe(api, '/health/ready')).body.status,
      'ok',
    );
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await stopAllRedisServers();
    await db?.drop();
  });

  it('answers 200 on every probe when PostgreSQL and Redis are up', async () => {
    const { live, ready, startup } = await probeAll(api);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({
      status: 'ok',
      info: { process: { status: 'up' } },
      error: {},
      details: { process: { status: 'up' } },
    });
    expect(startup.status).toBe(200);
    expect(startup.body).toEqual({
      status: 'ok',
      info: { app: { status: 'up', phase: 'running' } },
      error: {},
      details: { app: { status: 'up', phase: 'running' } },
    });
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.error).toEqual({});
    expect(ready.body.details).toEqual({
      app: { status: 'up', phase: 'running' },
      database: { status: 'up', responseTime: expect.any(Number) },
      redis: {
        status: 'up',
        store: 'redis',
        mode: 'standalone',
        responseTimeMs: expect.any(Number),
      },
    });
    expect(ready.body.info).toEqual(ready.body.details);
  });

  it('needs no API key and is never cached', async () => {
    for (let round = 0; round < 2; round++) {
      for (const path of PROBES) {
        const response = await api.http().get(path).expect(200);
        expect(response.headers['x-cache']).toBeUndefined();
        expect(response.headers['cache-control']).toBe(
          'no-cache, no-store, must-revalidate',
        );
      }
    }
    // a change shows at once: nothing answered from a cache
    await redisProxy.setMode('refuse');
    expect((await probe(api, '/health/ready')).body.details.redis.status).toBe(
      'down',
    );
    await redisProxy.setMode('pass');
    await expectEventually(
      async () => (await probe(api, '/health/ready')).body.details.redis.status,
      'up',
    );

    const client = new Redis(redis.url, { lazyConnect: true });
    try {
      await client.connect();
      const [, keys] = await client.scan(
        '0',
        'MATCH',
        `${keyPrefix}*`,
        'COUNT',
        1000,
      );
      // no entry for a health route (the in-process tier's own `{l1}` state may be there)
      expect(
        keys.filter((key) => key.slice(keyPrefix.length).includes('health')),
      ).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it('stays ready, reporting redis down, when Redis is down (the cache fails open)', async () => {
    await redisProxy.setMode('refuse');
    const { live, ready, startup } = await probeAll(api);
    expect(live.status).toBe(200);
    expect(startup.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.info.database.status).toBe('up');
    expect(ready.body.error).toEqual({
      redis: {
        status: 'down',
        store: 'redis',
        mode: 'standalone',
        message: expect.any(String),
      },
    });
    expect(ready.body.details.redis).toEqual(ready.body.error.redis);
  });

  it('is not ready when PostgreSQL is down; live and startup still answer 200', async () => {
    await pgProxy.setMode('refuse');
    const { live, ready, startup } = await probeAll(api);
    expect(live.status).toBe(200);
    expect(startup.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('error');
    expect(ready.body.error).toEqual({
      database: {
        status: 'down',
        message: expect.any(String),
        responseTime: expect.any(Number),
      },
    });
    expect(ready.body.info.redis.status).toBe('up');
    expect(ready.headers['cache-control']).toBe(
      'no-cache, no-store, must-revalidate',
    );

    await pgProxy.setMode('pass');
    await expectEventually(
      async () => (await probe(api, '/health/ready')).status,
      200,
    );
  });

  it(`answers every probe within ${PROBE_BUDGET_MS} ms while PostgreSQL hangs`, async () => {
    await pgProxy.setMode('stall');
    for (let round = 0; round < 2; round++) {
      const { live, ready, startup } = await probeAll(api);
      expect(live.status).toBe(200);
      expect(startup.status).toBe(200);
      expect(ready.status).toBe(503);
      expect(ready.body.error.database.message).toBe(
        'timeout of 1000ms exceeded',
      );
      for (const p of [live, ready, startup]) {
        expect(p.ms).toBeLessThan(PROBE_BUDGET_MS);
      }
    }
  });

  it(`answers every probe within ${PROBE_BUDGET_MS} ms while Redis hangs, still ready`, async () => {
    await redisProxy.setMode('stall');
    const { live, ready, startup } = await probeAll(api);
    expect(live.status).toBe(200);
    expect(startup.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('degraded');
    expect(ready.body.error.redis.message).toMatch(/^timeout after \d+ ms$/);
    for (const p of [live, ready, startup]) {
      expect(p.ms).toBeLessThan(PROBE_BUDGET_MS);
    }
  });

  it(`answers every probe within ${PROBE_BUDGET_MS} ms while both hang`, async () => {
    await Promise.all([pgProxy.setMode('stall'), redisProxy.setMode('stall')]);
    const { live, ready, startup } = await probeAll(api);
    expect(live.status).toBe(200);
    expect(startup.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(Object.keys(ready.body.error).sort()).toEqual(['database', 'redis']);
    for (const p of [live, ready, startup]) {
      expect(p.ms).toBeLessThan(PROBE_BUDGET_MS);
    }
  });
});

describe('health probes with CACHE_REQUIRED_FOR_READINESS=true (e2e)', () => {
  let db: TestDatabase;
  let redis: RedisServerProcess;
  let redisProxy: FaultProxy;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('health-required');
    redis = await RedisServerProcess.start();
    redisProxy = await FaultProxy.start({ host: redis.host, port: redis.port });
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: redisProxy.url(),
        REDIS_KEY_PREFIX: uniquePrefix('health-required'),
        CACHE_REQUIRED_FOR_READINESS: 'true',
      },
    });
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await stopAllRedisServers();
    await db?.drop();
  });

  it('is ready while Redis answers and not ready while it is down or hangs', async () => {
    expect((await probe(api, '/health/ready')).status).toBe(200);

    await redisProxy.setMode('refuse');
    const { live, ready, startup } = await probeAll(api);
    expect(live.status).toBe(200);
    expect(startup.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('error');
    expect(ready.body.error.redis.status).toBe('down');
    expect(ready.body.info.database.status).toBe('up');

    await redisProxy.setMode('stall');
    const stalled = await probe(api, '/health/ready');
    expect(stalled.status).toBe(503);
    expect(stalled.ms).toBeLessThan(PROBE_BUDGET_MS);

    await redisProxy.setMode('pass');
    await expectEventually(
      async () => (await probe(api, '/health/ready')).status,
      200,
    );
  });

  it('answers 503 with Redis stopped altogether', async () => {
    await redis.stop();
    try {
      const ready = await probe(api, '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body.error.redis.status).toBe('down');
    } finally {
      await redis.restart();
    }
  });
});

describe('health probes on Express (e2e)', () => {
  let db: TestDatabase;
  let pgProxy: FaultProxy;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('health-express');
    pgProxy = await FaultProxy.start(pgTarget(db.url));
    api = await createTestApp({
      platform: 'express',
      env: {
        DATABASE_URL: pgProxy.urlFor(db.url),
        REDIS_URL: undefined,
        REDIS_HOST: undefined,
      },
    });
  });

  afterAll(async () => {
    await api?.close();
    await closeAllFaultProxies();
    await db?.drop();
  });

  it('answers the same status codes and bodies', async () => {
    const up = await probeAll(api);
    expect([up.live.status, up.ready.status, up.startup.status]).toEqual([
      200, 200, 200,
    ]);
    expect(up.ready.body.status).toBe('ok');

    await pgProxy.setMode('refuse');
    const down = await probeAll(api);
    expect([down.live.status, down.ready.status, down.startup.status]).toEqual([
      200, 503, 200,
    ]);
    expect(down.ready.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down' } },
      info: { redis: { status: 'up', store: 'memory' } },
    });
    expect(down.ready.headers['cache-control']).toBe(
      'no-cache, no-store, must-revalidate',
    );
    expect(down.ready.headers['x-cache']).toBeUndefined();
  });
});

describe('health probes on the in-process memory store (e2e)', () => {
  let db: TestDatabase;
  let api: TestApp;

  beforeAll(async () => {
    db = await createTestDatabase('health-memory');
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: undefined,
        REDIS_HOST: undefined,
        CACHE_REQUIRED_FOR_READINESS: 'true',
      },
    });
  });

  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('reports redis up with store memory', async () => {
    const ready = await probe(api, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.redis).toMatchObject({
      status: 'up',
      store: 'memory',
    });
  });
});

describe('the startup probe before the app has booted (e2e)', () => {
  let db: TestDatabase;
  const saved = { ...process.env };

  beforeAll(async () => {
    db = await createTestDatabase('health-startup');
  });

  afterAll(async () => {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) delete process.env[key];
    }
    Object.assign(process.env, saved);
    await db?.drop();
  });

  it('fails until the bootstrap hooks have run, then answers 200', async () => {
    process.env.DATABASE_URL = db.url;
    delete process.env.REDIS_URL;
    delete process.env.REDIS_HOST;
    // create() has initialized the data source (migrations included), but
    // init() has not run the bootstrap hooks yet
    const app = await createApp({ logger: ['fatal', 'error'] });
    try {
      const controller = app.get(HealthController);
      const refusal = (() => {
        try {
          controller.startup();
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(refusal).toBeInstanceOf(ServiceUnavailableException);
      expect(
        (refusal as ServiceUnavailableException).getResponse(),
      ).toMatchObject({
        status: 'error',
        error: { app: { status: 'down', phase: 'starting' } },
      });
      await expect(controller.ready()).rejects.toBeInstanceOf(
        ServiceUnavailableException,
      );
      expect(controller.live().status).toBe('ok');

      await app.init();
      expect(controller.startup().status).toBe('ok');
      expect((await controller.ready()).status).toBe('ok');
    } finally {
      await app.close();
    }
  });
});

async function expectEventually<T>(
  read: () => Promise<T>,
  expected: T,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(last).toBe(expected);
}
