// Tests of the test infrastructure itself: services, process helpers, proxy.
import { connect } from 'node:net';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { createTestDatabase, type TestDatabase } from './database.js';
import { closeAllFaultProxies, FaultProxy } from './fault-proxy.js';
import { findFreePort } from './free-port.js';
import { startHangingListener } from './hanging-listener.js';
import pgModule from 'pg';
import { quoteIdent, withPg } from './pg.js';
import { redisCommand } from './redis-raw.js';
import { RedisClusterProcess, stopAllRedisClusters } from './redis-cluster.js';
import { RedisServerProcess, stopAllRedisServers } from './redis-server.js';
import { testDatabaseUrl, testPgAdminUrl, testRedisUrl } from './services.js';
import { deleteKeysWithPrefix, uniquePrefix } from './unique-prefix.js';

const clients = new Set<Redis | Cluster>();

/** An ioredis client that fails fast instead of retrying, closed in afterAll. */
function client(port: number, options: RedisOptions = {}): Redis {
  const redis = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...options,
  });
  redis.on('error', () => undefined);
  clients.add(redis);
  return redis;
}

/** Resolves with the error code of a raw TCP connect (or 'connected'). */
function tcpConnect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) =>
      resolve(error.code ?? error.message),
    );
  });
}

afterAll(async () => {
  // disconnect() on an ended client would arm a 2 s timer for nothing
  for (const c of clients) if (c.status !== 'end') c.disconnect();
  await closeAllFaultProxies();
  await stopAllRedisClusters();
  await stopAllRedisServers();
});

describe('services', () => {
  it('exposes a Redis that answers and uses only prefixed keys', async () => {
    const redis = new Redis(testRedisUrl(), { lazyConnect: true });
    clients.add(redis);
    await redis.connect();
    const mine = uniquePrefix('support');
    const other = uniquePrefix('support');
    expect(mine).toMatch(/^lexikon-test:support:[a-z0-9]{8}:$/);
    expect(other).not.toBe(mine);
    await redis.set(`${mine}a`, '1');
    await redis.set(`${mine}b`, '2');
    await redis.set(`${other}a`, '3');
    expect(await deleteKeysWithPrefix(redis, mine)).toBe(2);
    expect(await redis.exists(`${mine}a`, `${mine}b`)).toBe(0);
    expect(await redis.get(`${other}a`)).toBe('3');
    await deleteKeysWithPrefix(redis, other);
    await expect(deleteKeysWithPrefix(redis, 'user:')).rejects.toThrow(
      /refuses prefix/,
    );
    redis.disconnect();
  });

  it('exposes the suite database and the admin database', async () => {
    const name = await withPg(testDatabaseUrl(), async (pg) => {
      const { rows } = await pg.query<{ db: string }>(
        'SELECT current_database() AS db',
      );
      return rows[0].db;
    });
    expect(name).toMatch(/^lexikon_test_[0-9a-f]{8}_suite$/);
    expect(testPgAdminUrl()).not.toBe(testDatabaseUrl());
  });

  it('creates and drops isolated databases', async () => {
    const dbs: TestDatabase[] = await Promise.all([
      createTestDatabase('Support Spec'),
      createTestDatabase('support-spec'),
    ]);
    expect(dbs[0].name).not.toBe(dbs[1].name);
    expect(dbs[0].name).toMatch(/^lexikon_test_[0-9a-f]{8}_support_spec_/);
    await withPg(dbs[0].url, async (pg) => {
      await pg.query('CREATE TABLE t (id int)');
      await pg.query('INSERT INTO t VALUES (1)');
    });
    // the other database does not see the table
    await withPg(dbs[1].url, async (pg) => {
      await expect(pg.query('SELECT * FROM t')).rejects.toThrow(
        /does not exist/,
      );
    });
    // an open connection does not block drop()
    const held = await withPg(dbs[0].url, async (pg) => {
      const dropping = dbs[0].drop();
      await dropping;
      return pg.query('SELECT 1').then(
        () => 'still open',
        () => 'terminated',
      );
    });
    expect(held).toBe('terminated');
    await dbs[1].drop();
    await dbs[1].drop(); // idempotent
    const remaining = await withPg(testPgAdminUrl(), async (pg) => {
      const { rows } = await pg.query(
        'SELECT datname FROM pg_database WHERE datname = ANY($1)',
        [dbs.map((d) => d.name)],
      );
      return rows.length;
    });
    expect(remaining).toBe(0);
  });
});

describe('findFreePort', () => {
  it('returns a port that can be bound, and a free bus port on request', async () => {
    const port = await findFreePort({ alsoFreeAtOffset: 10000 });
    expect(await tcpConnect(port)).toBe('ECONNREFUSED');
    expect(await tcpConnect(port + 10000)).toBe('ECONNREFUSED');
    const ports = await Promise.all(
      Array.from({ length: 20 }, () => findFreePort()),
    );
    expect(new Set(ports).size).toBe(20);
  });

  it('returns the preferred port when it is free, another one when it is taken', async () => {
    const probe = await startHangingListener();
    await probe.close();
    expect(await findFreePort({ preferred: probe.port })).toBe(probe.port);
    const listener = await startHangingListener();
    try {
      const other = await findFreePort({ preferred: listener.port });
      expect(other).not.toBe(listener.port);
      expect(await tcpConnect(other)).toBe('ECONNREFUSED');
    } finally {
      await listener.close();
    }
  });
});

describe('RedisServerProcess', () => {
  it('starts, stops, restarts on the same port, pauses and is killed', async () => {
    const server = await RedisServerProcess.start();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    const redis = client(server.port, { commandTimeout: 200 });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();

    await server.stop();
    expect(server.isRunning).toBe(false);
    expect(await tcpConnect(server.port)).toBe('ECONNREFUSED');

    const port = server.port;
    await server.restart();
    expect(server.port).toBe(port);
    expect(await redisCommand(port, ['PING'])).toBe('PONG');

    const paused = client(port, { commandTimeout: 200 });
    await paused.connect();
    server.pause();
    await expect(paused.ping()).rejects.toThrow(/timed out/i);
    server.resume();
    expect(await redisCommand(port, ['PING'])).toBe('PONG');
    paused.disconnect();

    const pid = server.pid as number;
    await server.kill();
    expect(() => process.kill(pid, 0)).toThrow();
    await server.restart();
    expect(await redisCommand(port, ['PING'])).toBe('PONG');
    await server.stop();
  });

  it('passes extra arguments', async () => {
    const server = await RedisServerProcess.start({
      args: ['--maxmemory', '12mb'],
    });
    const reply = await redisCommand(server.port, [
      'CONFIG',
      'GET',
      'maxmemory',
    ]);
    expect(reply).toEqual(['maxmemory', String(12 * 1024 * 1024)]);
    await server.stop();
  });
});

describe('FaultProxy', () => {
  let server: RedisServerProcess;
  let proxy: FaultProxy;

  beforeAll(async () => {
    server = await RedisServerProcess.start();
    proxy = await FaultProxy.start({ host: server.host, port: server.port });
  });

  it('passes traffic', async () => {
    const redis = client(proxy.port);
    await redis.connect();
    await redis.set('lexikon-test:proxy:k', 'v');
    expect(await redis.get('lexikon-test:proxy:k')).toBe('v');
    expect(proxy.connectionCount).toBe(1);
    expect(proxy.url()).toBe(`redis://127.0.0.1:${proxy.port}`);
    redis.disconnect();
  });

  it('stalls: commands time out, then flow again in order', async () => {
    const redis = client(proxy.port, { commandTimeout: 200 });
    await redis.connect();
    await proxy.setMode('stall');
    await expect(redis.ping()).rejects.toThrow(/timed out/i);
    // new connections are accepted but get no answer either
    const fresh = client(proxy.port, {
      commandTimeout: 200,
      enableReadyCheck: false,
    });
    await fresh.connect();
    await expect(fresh.ping()).rejects.toThrow(/timed out/i);
    await proxy.setMode('pass');
    expect(await redis.echo('after-stall')).toBe('after-stall');
    redis.disconnect();
    fresh.disconnect();
  });

  it('delays every chunk by its latency, keeping their order', async () => {
    const redis = client(proxy.port);
    await redis.connect();
    proxy.latencyMs = 150;
    try {
      const started = performance.now();
      const replies = await Promise.all([
        redis.echo('one'),
        redis.echo('two'),
        redis.echo('three'),
      ]);
      expect(replies).toEqual(['one', 'two', 'three']);
      // there and back: twice the latency at least
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      proxy.latencyMs = 0;
      redis.disconnect();
    }
  });

  it('refuses: existing connections are closed, new ones refused', async () => {
    const redis = client(proxy.port);
    await redis.connect();
    const closed = new Promise((resolve) => redis.once('close', resolve));
    await proxy.setMode('refuse');
    await closed;
    expect(proxy.connectionCount).toBe(0);
    expect(await tcpConnect(proxy.port)).toBe('ECONNREFUSED');
    const refused = client(proxy.port);
    const refusedError = new Promise<string | undefined>((resolve) =>
      refused.once('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code),
      ),
    );
    await expect(refused.connect()).rejects.toThrow();
    expect(await refusedError).toBe('ECONNREFUSED');
    await proxy.setMode('pass');
    const again = client(proxy.port);
    await again.connect();
    expect(await again.ping()).toBe('PONG');
    again.disconnect();
  });

  it('resets current connections once, then passes', async () => {
    const redis = client(proxy.port);
    await redis.connect();
    const errors: string[] = [];
    redis.on('error', (error: NodeJS.ErrnoException) =>
      errors.push(error.code ?? ''),
    );
    const closed = new Promise((resolve) => redis.once('close', resolve));
    await proxy.setMode('reset');
    await closed;
    expect(errors).toContain('ECONNRESET');
    expect(proxy.mode).toBe('pass');
    const next = client(proxy.port);
    await next.connect();
    expect(await next.ping()).toBe('PONG');
    next.disconnect();
  });

  it('stalls on a matching statement and delivers it late, after its client gave up', async () => {
    const target = new URL(testDatabaseUrl());
    const pgProxy = await FaultProxy.start({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    const table = quoteIdent(`proxy_late_${Date.now()}`);
    await withPg(testDatabaseUrl(), (pg) =>
      pg.query(
        `CREATE TABLE ${table} (v text); INSERT INTO ${table} VALUES ('early')`,
      ),
    );
    const read = () =>
      withPg(testDatabaseUrl(), async (pg) => {
        const { rows } = await pg.query<{ v: string }>(
          `SELECT v FROM ${table}`,
        );
        return rows[0].v;
      });
    const viaProxy = new pgModule.Client({
      connectionString: pgProxy.urlFor(testDatabaseUrl()),
      query_timeout: 200,
    });
    viaProxy.on('error', () => undefined);
    await viaProxy.connect();
    const stalled = pgProxy.stallOn(/UPDATE /);
    await expect(
      viaProxy.query(`UPDATE ${table} SET v = $1`, ['late']),
    ).rejects.toThrow('Query read timeout');
    await stalled;
    expect(pgProxy.mode).toBe('stall');
    await viaProxy.end(); // gives up: the socket closes at once
    expect(await read()).toBe('early');

    await pgProxy.setMode('pass');
    let value = await read();
    for (let i = 0; i < 50 && value === 'early'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      value = await read();
    }
    expect(value).toBe('late');
    // the proxy forgets the connection once both sides closed
    for (let i = 0; i < 50 && pgProxy.connectionCount > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(pgProxy.connectionCount).toBe(0);
    await withPg(testDatabaseUrl(), (pg) => pg.query(`DROP TABLE ${table}`));
    await pgProxy.close();
  });

  it('proxies PostgreSQL too', async () => {
    const pgProxy = await FaultProxy.start(
      (() => {
        const url = new URL(testPgAdminUrl());
        return { host: url.hostname, port: Number(url.port || 5432) };
      })(),
    );
    const viaProxy = pgProxy.urlFor(testDatabaseUrl());
    expect(viaProxy).toContain(`:${pgProxy.port}/lexikon_test`);
    const one = await withPg(viaProxy, async (pg) => {
      const { rows } = await pg.query<{ one: number }>('SELECT 1 AS one');
      return rows[0].one;
    });
    expect(one).toBe(1);
    await pgProxy.close();
  });
});

describe('startHangingListener', () => {
  it('accepts connections and never answers', async () => {
    const listener = await startHangingListener();
    try {
      expect(await tcpConnect(listener.port)).toBe('connected');
      const redis = client(listener.port, {
        commandTimeout: 200,
        enableReadyCheck: false,
      });
      await redis.connect();
      await expect(redis.ping()).rejects.toThrow(/timed out/i);
      redis.disconnect();
    } finally {
      await listener.close();
    }
    expect(await tcpConnect(listener.port)).toBe('ECONNREFUSED');
  });
});

describe('RedisClusterProcess', () => {
  it('starts a 3+3 cluster that ioredis can use, and stops it', async () => {
    const cluster = await RedisClusterProcess.start();
    expect(cluster.nodes).toHaveLength(6);
    for (const node of cluster.nodes) {
      const info = String(await redisCommand(node.port, ['CLUSTER', 'INFO']));
      expect(info).toContain('cluster_state:ok');
    }
    const redis = new Cluster(cluster.nodes, {
      redisOptions: { maxRetriesPerRequest: 1 },
    });
    redis.on('error', () => undefined);
    clients.add(redis);
    const prefix = uniquePrefix('cluster');
    const keys = Array.from({ length: 100 }, (_, i) => `${prefix}${i}`);
    await Promise.all(keys.map((key, i) => redis.set(key, String(i))));
    const values = await Promise.all(keys.map((key) => redis.get(key)));
    expect(values).toEqual(keys.map((_, i) => String(i)));
    expect(await deleteKeysWithPrefix(redis, prefix)).toBe(100);
    await redis.quit();
    clients.delete(redis);

    await cluster.stop();
    for (const node of cluster.nodes) {
      expect(await tcpConnect(node.port)).toBe('ECONNREFUSED');
    }
  });
});
