import { readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import {
  Controller,
  Get,
  type INestApplication,
  Param,
  Patch,
} from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import request from 'supertest';
import {
  CacheInvalidate,
  Cacheable,
  CacheService,
  LexikonCacheModule,
} from '@lexikon/cache';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

/** What the "database" holds: the source every answer must agree with. */
const names = new Map<string, string>();
let note = '';

@Controller('terms')
class TermsController {
  @Get(':id')
  @Cacheable({ key: 'term:{id}', scope: 'public' })
  async get(@Param('id') id: string) {
    return { id, name: names.get(id) };
  }

  @Patch(':id/:name')
  @CacheInvalidate('term:{id}')
  async rename(@Param('id') id: string, @Param('name') name: string) {
    names.set(id, name);
    return { id, name };
  }
}

interface App {
  readonly app: INestApplication;
  readonly cache: CacheService;
  http(): ReturnType<typeof request>;
}

async function boot(url: string, prefix: string, l1: boolean): Promise<App> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      LexikonCacheModule.forRoot({
        redis: { url },
        keyPrefix: prefix,
        commandTimeout: 200,
        breakerThreshold: 3,
        breakerCooldown: 200,
        connectWait: 3000,
        ...(l1 && { l1: true }),
      }),
    ],
    controllers: [TermsController],
  }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), {
    logger: false,
  });
  await app.init();
  await (
    app.getHttpAdapter().getInstance() as { ready(): Promise<void> }
  ).ready();
  return {
    app,
    cache: app.get(CacheService),
    http: () => request(app.getHttpServer()),
  };
}

/** The file Redis appends to (Redis 7: the incremental part of a multi-part AOF). */
function incrAof(dir: string): string {
  const aofDir = join(dir, 'appendonlydir');
  const file = readdirSync(aofDir).find((f) => f.endsWith('.incr.aof'));
  if (!file) throw new Error(`no incremental AOF in ${aofDir}`);
  return join(aofDir, file);
}

async function keysUnder(raw: Redis, match: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  for (let i = 0; i < 1000; i++) {
    const [next, keys] = await raw.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return found;
}

/** Where the cache records the Redis run it was last cleared for. */
function markerKey(prefix: string): string {
  return `${prefix}{l1}:runs`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/*
 * A SIGKILL alone loses nothing that Redis has written to its AOF: the
 * kernel still holds the unsynced pages. With `appendfsync everysec` the
 * loss happens when the machine goes down before the next fsync (power
 * loss, a kernel panic, a VM killed). The test makes that loss: after the
 * SIGKILL it cuts the AOF back to what it held before the invalidation,
 * as a crash within that second would, and restarts on the same port and
 * directory.
 */
describe.each([
  ['without the in-process tier', false],
  ['with the in-process tier', true],
])('a Redis restart that lost an invalidation (%s)', (_label, l1) => {
  let redis: RedisServerProcess;
  const apps: App[] = [];

  beforeEach(async () => {
    redis = await RedisServerProcess.start({
      persistent: true,
      args: ['--appendonly', 'yes', '--appendfsync', 'everysec'],
    });
    names.clear();
    note = '';
  });

  afterEach(async () => {
    for (const a of apps.splice(0)) await a.app.close();
    await stopAllRedisServers();
  });

  /**
   * Caches `old` for a route and a tagged `CacheService` entry, cuts the
   * AOF back to there after both are invalidated (by key, and by tag) and
   * restarts Redis; checks that the stale entries came back. With
   * `breakCheck`, the restart check cannot complete (its marker, which
   * names the Redis run the cache was last cleared for, holds a hash)
   * until the caller deletes it. Returns the route's entry key.
   */
  async function loseInvalidations(
    writer: App,
    prefix: string,
    closeWriter: boolean,
    breakCheck = false,
  ): Promise<string> {
    names.set('1', 'old');
    note = 'old';
    await writer.http().get('/terms/1').expect(200, { id: '1', name: 'old' });
    const hit = await writer.http().get('/terms/1').expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    const loadNote = () => Promise.resolve(note);
    expect(
      await writer.cache.getOrSet('note', loadNote, { tags: ['team'] }),
    ).toBe('old');

    const raw = new Redis(redis.url);
    const [termKey] = await keysUnder(raw, `${prefix}term:*`);
    const tagKeys = await keysUnder(raw, `${prefix}{tags}:*team*`);
    expect(termKey).toBeDefined();
    expect(tagKeys).toHaveLength(1);
    const tagBefore = await raw.get(tagKeys[0]);
    if (breakCheck) {
      await raw.del(markerKey(prefix));
      await raw.hset(markerKey(prefix), 'held', '1');
    }
    const aof = incrAof(redis.dataDir ?? '');
    const durable = statSync(aof).size;

    names.set('1', 'new');
    note = 'new';
    await writer.http().patch('/terms/1/new').expect(200);
    expect(await writer.cache.invalidateTags(['team'])).toBe(true);
    expect(await raw.exists(termKey)).toBe(0);
    expect(await raw.get(tagKeys[0])).not.toBe(tagBefore);
    raw.disconnect();
    if (closeWriter) {
      await writer.app.close();
      apps.splice(apps.indexOf(writer), 1);
    }

    await redis.kill();
    truncateSync(aof, durable);
    await redis.restart();

    // the edge is real: the entry is back and its tag at the old version
    const after = new Redis(redis.url);
    try {
      expect(await after.get(termKey)).toContain('old');
      expect(await after.get(tagKeys[0])).toBe(tagBefore);
    } finally {
      after.disconnect();
    }
    return termKey;
  }

  /** Whether the app's store connection is back while `key` (the stale entry) is still in Redis. */
  async function connectedBeforeClear(raw: Redis, key: string) {
    const own = String(await raw.client('ID'));
    const list = String(await raw.client('LIST'));
    const others = list
      .split('\n')
      .filter((l) => l.startsWith('id=') && !l.startsWith(`id=${own} `))
      .filter((l) => !/ name=lexikon-l1-bus-/.test(l));
    return others.length > 0 && (await raw.exists(key)) === 1;
  }

  /**
   * Reads through the route and CacheService until the cache answers from
   * Redis again (a route HIT): every answer on the way must be the new one.
   */
  async function expectNeverStale(
    reader: App,
    beforeRead: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    const loadNote = () => Promise.resolve(note);
    let hits = 0;
    for (let i = 0; i < 300 && hits < 2; i++) {
      await beforeRead();
      const r = await reader.http().get('/terms/1').expect(200);
      expect(r.body).toEqual({ id: '1', name: 'new' });
      expect(await reader.cache.get('note')).not.toBe('old');
      expect(
        await reader.cache.getOrSet('note', loadNote, { tags: ['team'] }),
      ).toBe('new');
      if (r.headers['x-cache'] === 'HIT') hits++;
      else await sleep(50);
    }
    // the cache works again (so the answers above did not just bypass it)
    expect(hits).toBe(2);
    expect(await reader.cache.get('note')).toBe('new');
  }

  it('never serves the entry it covered, in the process that saw Redis go away', async () => {
    const prefix = uniquePrefix('restart');
    const app = await boot(redis.url, prefix, l1);
    apps.push(app);
    await loseInvalidations(app, prefix, false);
    await expectNeverStale(app);
  });

  it('never serves it in a process started after the restart', async () => {
    const prefix = uniquePrefix('restart-fresh');
    const writer = await boot(redis.url, prefix, l1);
    apps.push(writer);
    await loseInvalidations(writer, prefix, true);
    const reader = await boot(redis.url, prefix, l1);
    apps.push(reader);
    await expectNeverStale(reader);
  });

  it('keeps reads off a restarted Redis until its check has passed', async () => {
    const prefix = uniquePrefix('restart-held');
    const app = await boot(redis.url, prefix, l1);
    apps.push(app);
    const termKey = await loseInvalidations(app, prefix, false, true);
    const raw = new Redis(redis.url);
    let readsInTheGap = 0;
    try {
      await expectNeverStale(app, async () => {
        if (!(await connectedBeforeClear(raw, termKey))) return;
        // connected to a Redis that still holds the stale entry
        if (++readsInTheGap === 5) await raw.del(markerKey(prefix));
      });
    } finally {
      raw.disconnect();
    }
    expect(readsInTheGap).toBeGreaterThanOrEqual(5);
  });
});
