import { Controller, Get, Param, Put } from '@nestjs/common';
import request from 'supertest';
import { Cacheable, CacheInvalidate } from '@lexikon/cache';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import { connectPg } from '../../../test/support/pg.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { testDatabaseUrl } from '../../../test/support/services.js';
import { createHttpFixture, type HttpFixture } from './support/http-fixture.js';

/** The database stand-in: down when `failing` is set. */
const source = { failing: false, loads: 0, value: new Map<string, string>() };

function load(id: string): { id: string; value: string } {
  source.loads++;
  if (source.failing) throw new Error('the database is down');
  return { id, value: source.value.get(id) ?? 'first' };
}

/** Where the PostgreSQL route connects: a fault proxy in front of the test database. */
const pgLink = { url: '' };

@Controller('pg')
class PgController {
  @Get(':id')
  @Cacheable({ key: 'pg:{id}', scope: 'public' })
  async row(@Param('id') id: string) {
    source.loads++;
    const client = await connectPg(pgLink.url, 300);
    try {
      const { rows } = await client.query<{ v: string }>(
        'SELECT $1::text AS v',
        [`row ${id}`],
      );
      return { id, v: rows[0].v };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

@Controller('rows')
class RowsController {
  @Get(':id')
  @Cacheable({ key: 'row:{id}', scope: 'public' })
  row(@Param('id') id: string) {
    return load(id);
  }

  @Get(':id/strict')
  @Cacheable({ key: 'strict:{id}', scope: 'public', grace: false })
  strict(@Param('id') id: string) {
    return load(id);
  }

  @Put(':id')
  @CacheInvalidate('row:{id}')
  write(@Param('id') id: string) {
    source.value.set(id, 'second');
    return { id };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `l1: { failSafe: true }`: with Redis and the loader's source down
 * together, a read answers the copy its in-process tier still holds, as
 * STALE, for entries with a grace period; never one this instance's own
 * write invalidated, never without the option.
 */
describe.each([true, false])('fail-safe copies (failSafe: %s)', (failSafe) => {
  let redis: RedisServerProcess;
  let f: HttpFixture;
  const http = () => request(f.app.getHttpServer());

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    f = await createHttpFixture(
      'fastify',
      `fail-safe-${failSafe}`,
      [RowsController, PgController],
      [],
      {
        redis: { url: redis.url },
        grace: '1m',
        commandTimeout: '200ms',
        l1: { lease: '600ms', maxLag: '200ms', failSafe },
      },
    );
  });

  afterAll(async () => {
    await f?.close().catch(() => undefined);
    await stopAllRedisServers();
    await closeAllFaultProxies();
  });

  beforeEach(async () => {
    if (!redis.isRunning) await redis.restart();
    source.failing = false;
    source.loads = 0;
    source.value.clear();
  });

  /** Reads `path` until the in-process tier answers it (the tier joins after start-up and after Redis returns). */
  async function cachedInTier(path: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      await http().get(path).expect(200);
      const loads = source.loads;
      const again = await http().get(path).expect(200);
      // a hit with no Redis read: the tier's
      if (again.headers['x-cache'] === 'HIT' && source.loads === loads) {
        await redis.kill();
        return;
      }
      await sleep(50);
    }
    throw new Error(`${path} never became an in-process hit`);
  }

  it('answers the copy in the tier, stale, when Redis and the source are down', async () => {
    await cachedInTier('/rows/a');
    source.failing = true;
    const before = source.loads;
    const res = await http().get('/rows/a');
    if (failSafe) {
      expect(res.status).toBe(200);
      expect(res.headers['x-cache']).toBe('STALE');
      expect(res.headers['cache-status']).toBe('lexikon; fwd=stale');
      expect(res.body).toEqual({ id: 'a', value: 'first' });
    } else {
      expect(res.status).toBe(500);
    }
    // the loader ran: a copy is only a fallback for its failure
    expect(source.loads).toBe(before + 1);
  });

  it('answers with Redis killed and PostgreSQL black-holed or resetting the link', async () => {
    const db = new URL(testDatabaseUrl());
    const proxy = await FaultProxy.start({
      host: db.hostname,
      port: Number(db.port || 5432),
    });
    pgLink.url = proxy.urlFor(testDatabaseUrl());
    await cachedInTier('/pg/1');
    const expectAnswer = (res: request.Response) => {
      if (failSafe) {
        expect([res.status, res.headers['x-cache'], res.body]).toEqual([
          200,
          'STALE',
          { id: '1', v: 'row 1' },
        ]);
      } else {
        expect(res.status).toBe(500);
      }
    };
    for (const mode of ['stall', 'refuse'] as const) {
      await proxy.setMode(mode);
      const before = source.loads;
      expectAnswer(await http().get('/pg/1'));
      expect(source.loads).toBe(before + 1);
    }
    // the link reset under the query
    await proxy.setMode('pass');
    const held = proxy.stallOn(/SELECT/);
    // supertest sends on then(): start it now
    const pending = http()
      .get('/pg/1')
      .then((r) => r);
    await held;
    await proxy.setMode('reset');
    expectAnswer(await pending);
  });

  it('answers the loader when it succeeds, Redis down or not', async () => {
    await cachedInTier('/rows/b');
    source.value.set('b', 'changed');
    const res = await http().get('/rows/b').expect(200);
    expect(res.body).toEqual({ id: 'b', value: 'changed' });
    expect(res.headers['x-cache']).not.toBe('STALE');
  });

  it("never answers a copy this instance's own write invalidated", async () => {
    await cachedInTier('/rows/c');
    // Redis is down: the invalidation is deferred, and the tier drops the copy now
    await http().put('/rows/c').expect(200);
    source.failing = true;
    expect((await http().get('/rows/c')).status).toBe(500);
  });

  it('never answers a copy of an entry without a grace period', async () => {
    await cachedInTier('/rows/d/strict');
    source.failing = true;
    expect((await http().get('/rows/d/strict')).status).toBe(500);
  });

  it('goes back to Redis and fresh data once Redis is back', async () => {
    await cachedInTier('/rows/e');
    source.failing = true;
    await http().get('/rows/e');
    await redis.restart();
    source.failing = false;
    source.value.set('e', 'after');
    let body: unknown;
    for (let i = 0; i < 100; i++) {
      const res = await http().get('/rows/e');
      body = res.body;
      if (res.status === 200 && res.headers['x-cache'] !== 'STALE') break;
      await sleep(50);
    }
    expect(body).toEqual({ id: 'e', value: 'after' });
  });
});
