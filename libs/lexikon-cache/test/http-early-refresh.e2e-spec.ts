import { Controller, Get, Param } from '@nestjs/common';
import request from 'supertest';
import { Cacheable, type LexikonCacheModuleOptions } from '@lexikon/cache';
import { createHttpFixture, type HttpFixture } from './support/http-fixture.js';

const source = { loads: 0 };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

@Controller('top')
class TopController {
  // beta this large refreshes on (almost) the first hit
  @Get(':id')
  @Cacheable({
    key: 'top:{id}',
    scope: 'public',
    ttl: 1_000,
    earlyRefresh: { beta: 1_000 },
  })
  async get(@Param('id') id: string) {
    const n = ++source.loads;
    await sleep(20);
    return { id, n };
  }
}

/**
 * A route with early refresh: its hits, also those the interceptor could
 * answer without a promise (the memory store, the in-process tier), draw
 * the refresh, and are answered HIT from the entry while it runs.
 */
describe.each([
  ['express', 'memory'],
  ['fastify', 'memory'],
  ['express', 'redis + in-process tier'],
  ['fastify', 'redis + in-process tier'],
] as const)('HTTP early refresh (%s, %s)', (adapter, store) => {
  let fx: HttpFixture;

  beforeAll(async () => {
    const options: LexikonCacheModuleOptions =
      store === 'memory'
        ? { store: 'memory', ttlJitter: 0 }
        : { l1: true, ttlJitter: 0 };
    fx = await createHttpFixture(
      adapter,
      'http-early',
      [TopController],
      [],
      options,
    );
  });

  afterAll(() => fx.close());

  it('refreshes behind HITs', async () => {
    source.loads = 0;
    const http = () => request(fx.app.getHttpServer());
    const miss = await http().get('/top/a').expect(200);
    expect([miss.headers['x-cache'], miss.body]).toEqual([
      'MISS',
      { id: 'a', n: 1 },
    ]);
    const seen = new Set<string>();
    for (let i = 0; i < 50 && source.loads < 2; i++) {
      const hit = await http().get('/top/a').expect(200);
      seen.add(`${String(hit.headers['x-cache'])} ${JSON.stringify(hit.body)}`);
    }
    expect(source.loads).toBe(2);
    expect([...seen]).toEqual(['HIT {"id":"a","n":1}']);
    await sleep(100);
    const after = await http().get('/top/a').expect(200);
    expect([after.headers['x-cache'], after.body.n]).toEqual(['HIT', 2]);
    await sleep(100);
  });
});
