import { ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test, type TestingModule } from '@nestjs/testing';
import {
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { RedisHealthIndicator } from '@lexikon/cache/health';
import { findFreePort } from '../../../test/support/free-port.js';
import { startHangingListener } from '../../../test/support/hanging-listener.js';
import {
  RedisClusterProcess,
  stopAllRedisClusters,
} from '../../../test/support/redis-cluster.js';
import { redisCommand } from '../../../test/support/redis-raw.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { testRedisUrl } from '../../../test/support/services.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

const open = new Set<TestingModule>();

/** TerminusModule + the cache (own prefix, no interceptor) + the indicator. */
async function healthModule(
  options: LexikonCacheModuleOptions,
): Promise<{ module: TestingModule; indicator: RedisHealthIndicator }> {
  const redis = options.redis && {
    ...options.redis,
    // ioredis closing a client whose socket is already gone (Redis down) keeps
    // a disconnectTimeout timer (2 s by default) alive: jest would not exit at once
    ioredis: { disconnectTimeout: 100 },
  };
  const module = await Test.createTestingModule({
    imports: [
      TerminusModule.forRoot({ logger: false }),
      LexikonCacheModule.forRoot({
        ...options,
        ...(redis && { redis }),
        keyPrefix: uniquePrefix('health'),
        interceptor: false,
      }),
    ],
    providers: [RedisHealthIndicator],
  }).compile();
  await module.init();
  open.add(module);
  return { module, indicator: module.get(RedisHealthIndicator) };
}

/** Runs a check and times it. */
async function timed<T>(check: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await check;
  return [result, performance.now() - started];
}

async function serverInfo(
  port: number,
): Promise<{ connected: number; received: number }> {
  const raw = String(await redisCommand(port, ['INFO']));
  const field = (name: string) =>
    Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(raw)?.[1]);
  return {
    connected: field('connected_clients'),
    received: field('total_connections_received'),
  };
}

afterEach(async () => {
  await Promise.all([...open].map((m) => m.close()));
  open.clear();
});

afterAll(async () => {
  await stopAllRedisServers();
  await stopAllRedisClusters();
});

describe('RedisHealthIndicator', () => {
  it('is up on a reachable Redis, under the given key', async () => {
    const { indicator } = await healthModule({
      redis: { url: testRedisUrl() },
    });
    const result = await indicator.isHealthy();
    expect(result).toEqual({
      redis: {
        status: 'up',
        store: 'redis',
        mode: 'standalone',
        responseTimeMs: expect.any(Number),
      },
    });
    const custom = await indicator.isHealthy('cache');
    expect(custom.cache.status).toBe('up');
  });

  it('is down at once, with a connection message, when Redis is stopped', async () => {
    const server = await RedisServerProcess.start();
    const { indicator } = await healthModule({
      redis: { url: server.url },
    });
    expect((await indicator.isHealthy()).redis.status).toBe('up');
    await server.stop();

    const [first, elapsed] = await timed(
      indicator.isHealthy('redis', { timeout: 5_000 }),
    );
    expect(first.redis).toMatchObject({
      status: 'down',
      store: 'redis',
      mode: 'standalone',
      message: expect.stringMatching(/^connection (refused|closed)/),
    });
    expect(first.redis.responseTimeMs).toBeUndefined();
    // far below the timeout: nothing was sent to a dead server
    expect(elapsed).toBeLessThan(1_000);

    // once the client has tried to reconnect, it knows the port refuses
    let message = first.redis.message;
    for (let i = 0; i < 40 && message !== 'connection refused'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      message = (await indicator.isHealthy()).redis.message;
    }
    expect(message).toBe('connection refused');
  });

  it('is down with a timeout when Redis is paused, bounded by the timeout or commandTimeout', async () => {
    const server = await RedisServerProcess.start();
    const { indicator } = await healthModule({
      redis: { url: server.url },
      commandTimeout: 600,
    });
    expect((await indicator.isHealthy()).redis.status).toBe('up');
    server.pause();
    try {
      // the check's own timer comes first
      const [ownTimeout, elapsed] = await timed(
        indicator.isHealthy('redis', { timeout: 300 }),
      );
      expect(ownTimeout.redis).toMatchObject({
        status: 'down',
        message: 'timeout after 300 ms',
      });
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(2_000);

      // the client's commandTimeout (600) comes before the check's (5000)
      const [commandTimeout, elapsed2] = await timed(
        indicator.isHealthy('redis', { timeout: 5_000 }),
      );
      expect(commandTimeout.redis).toMatchObject({
        status: 'down',
        message: expect.stringMatching(/^timeout after \d+ ms$/),
      });
      expect(elapsed2).toBeLessThan(3_000);
    } finally {
      server.resume();
    }
  });

  it('is down when the server accepts connections and never replies', async () => {
    const listener = await startHangingListener();
    try {
      const { indicator } = await healthModule({
        redis: { host: '127.0.0.1', port: listener.port },
        commandTimeout: 100,
        connectWait: 200,
      });
      const [result, elapsed] = await timed(
        indicator.isHealthy('redis', { timeout: 300 }),
      );
      expect(result.redis).toMatchObject({
        status: 'down',
        message: expect.any(String),
      });
      expect(elapsed).toBeLessThan(2_000);
    } finally {
      await listener.close();
    }
  });

  it('is down when nothing listens, and says the connection is refused', async () => {
    const port = await findFreePort();
    const { indicator } = await healthModule({
      redis: { host: '127.0.0.1', port },
      connectWait: 200,
    });
    const result = await indicator.isHealthy();
    expect(result.redis).toMatchObject({
      status: 'down',
      message: 'connection refused',
    });
  });

  it('is down with "authentication failed" on a wrong or missing password', async () => {
    const server = await RedisServerProcess.start();
    await redisCommand(server.port, ['CONFIG', 'SET', 'requirepass', 'right']);
    const wrong = await healthModule({
      redis: { host: server.host, port: server.port, password: 'wrong' },
      connectWait: 300,
    });
    const none = await healthModule({
      redis: { host: server.host, port: server.port },
      connectWait: 300,
    });
    const right = await healthModule({
      redis: { host: server.host, port: server.port, password: 'right' },
    });
    expect((await wrong.indicator.isHealthy()).redis).toMatchObject({
      status: 'down',
      message: 'authentication failed',
    });
    expect((await none.indicator.isHealthy()).redis).toMatchObject({
      status: 'down',
      message: 'authentication failed',
    });
    expect((await right.indicator.isHealthy()).redis.status).toBe('up');
  });

  it('compares used memory with memoryThresholdMb', async () => {
    const { indicator } = await healthModule({
      redis: { url: testRedisUrl() },
    });
    const tiny = await indicator.isHealthy('redis', {
      memoryThresholdMb: 0.001,
    });
    expect(tiny.redis).toMatchObject({
      status: 'down',
      usedMemoryMb: expect.any(Number),
      message: expect.stringMatching(
        /^used memory [\d.]+ MB is above the threshold of 0.001 MB$/,
      ),
    });
    expect(tiny.redis.usedMemoryMb).toBeGreaterThan(0.001);

    const large = await indicator.isHealthy('redis', {
      memoryThresholdMb: 1_000_000,
    });
    expect(large.redis).toMatchObject({
      status: 'up',
      usedMemoryMb: expect.any(Number),
      responseTimeMs: expect.any(Number),
    });
    // without a threshold, no INFO is read
    expect((await indicator.isHealthy()).redis.usedMemoryMb).toBeUndefined();
  });

  it('is down, never throwing, on invalid options', async () => {
    const { indicator } = await healthModule({
      redis: { url: testRedisUrl() },
    });
    expect(
      (await indicator.isHealthy('redis', { timeout: -1 })).redis,
    ).toMatchObject({
      status: 'down',
      message: expect.stringContaining('timeout'),
    });
  });

  it('is up on the memory store', async () => {
    const { indicator } = await healthModule({ store: 'memory' });
    expect(await indicator.isHealthy()).toEqual({
      redis: {
        status: 'up',
        store: 'memory',
        mode: 'memory',
        responseTimeMs: 0,
      },
    });
    expect(
      (await indicator.isHealthy('redis', { memoryThresholdMb: 100 })).redis,
    ).toMatchObject({ status: 'up', usedMemoryMb: 0 });
  });

  it('opens no connection per check', async () => {
    const server = await RedisServerProcess.start();
    const { indicator } = await healthModule({
      redis: { url: server.url },
    });
    const before = await serverInfo(server.port);
    for (let i = 0; i < 20; i++) {
      const result = await indicator.isHealthy('redis', {
        memoryThresholdMb: 1_000,
      });
      expect(result.redis.status).toBe('up');
    }
    const after = await serverInfo(server.port);
    expect(after.connected).toBe(before.connected);
    // the only new connection is the one that read INFO the second time
    expect(after.received).toBe(before.received + 1);
  });

  it('is up on a Redis Cluster with clusterState ok', async () => {
    const cluster = await RedisClusterProcess.start();
    const { indicator } = await healthModule({
      redis: { clusterNodes: cluster.nodes },
      connectWait: 5_000,
    });
    const result = await indicator.isHealthy('redis', {
      memoryThresholdMb: 1_000,
    });
    expect(result.redis).toEqual({
      status: 'up',
      store: 'redis',
      mode: 'cluster',
      responseTimeMs: expect.any(Number),
      clusterState: 'ok',
      usedMemoryMb: expect.any(Number),
    });
  });

  describe('with HealthCheckService', () => {
    it('reports ok when Redis is up', async () => {
      const { module, indicator } = await healthModule({
        redis: { url: testRedisUrl() },
      });
      const health = module.get(HealthCheckService);
      const result = await health.check([() => indicator.isHealthy('redis')]);
      expect(result).toMatchObject({
        status: 'ok',
        info: { redis: { status: 'up', mode: 'standalone' } },
        error: {},
      });
    });

    it('throws ServiceUnavailableException (503) with the Redis details when down', async () => {
      const port = await findFreePort();
      const { module, indicator } = await healthModule({
        redis: { host: '127.0.0.1', port },
        connectWait: 200,
      });
      const health = module.get(HealthCheckService);
      const error: unknown = await health
        .check([() => indicator.isHealthy('redis')])
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(error).toBeInstanceOf(ServiceUnavailableException);
      const exception = error as ServiceUnavailableException;
      expect(exception.getStatus()).toBe(503);
      expect(exception.getResponse()).toEqual({
        status: 'error',
        info: {},
        error: {
          redis: {
            status: 'down',
            store: 'redis',
            mode: 'standalone',
            message: 'connection refused',
          },
        },
        details: {
          redis: {
            status: 'down',
            store: 'redis',
            mode: 'standalone',
            message: 'connection refused',
          },
        },
      });
    });
  });
});
