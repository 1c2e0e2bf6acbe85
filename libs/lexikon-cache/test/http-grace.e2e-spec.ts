import {
  Controller,
  Get,
  Param,
  ServiceUnavailableException,
} from '@nestjs/common';
import request from 'supertest';
import { Cacheable } from '@lexikon/cache';
import { createHttpFixture, type HttpFixture } from './support/http-fixture.js';

// long enough that the HIT right after the MISS stays within it on a loaded machine
const TTL_MS = 1000;

const source = { down: false, loads: 0, value: 'v1' };

@Controller('rates')
class RatesController {
  @Get(':id')
  @Cacheable({ key: 'rate:{id}', scope: 'public', ttl: TTL_MS, grace: '1m' })
  async get(@Param('id') id: string) {
    source.loads++;
    if (source.down) throw new ServiceUnavailableException('database down');
    return { id, value: source.value };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A route with a grace period answers from the entry past its TTL when its
 * handler fails, and says so: `X-Cache: STALE` and RFC 9211 `Cache-Status`.
 */
describe.each(['express', 'fastify'] as const)(
  'HTTP grace periods (%s)',
  (adapter) => {
    let fx: HttpFixture;

    beforeAll(async () => {
      fx = await createHttpFixture(
        adapter,
        'http-grace',
        [RatesController],
        [],
        {
          ttlJitter: 0,
        },
      );
    });

    afterAll(() => fx.close());

    beforeEach(() => {
      source.down = false;
      source.loads = 0;
    });

    it('says MISS, then HIT, then STALE once the TTL passed and the handler fails', async () => {
      const http = () => request(fx.app.getHttpServer());
      const miss = await http().get('/rates/a').expect(200);
      expect([miss.headers['x-cache'], miss.headers['cache-status']]).toEqual([
        'MISS',
        'lexikon; fwd=miss',
      ]);
      const hit = await http().get('/rates/a').expect(200);
      expect([hit.headers['x-cache'], hit.headers['cache-status']]).toEqual([
        'HIT',
        'lexikon; hit',
      ]);
      await sleep(TTL_MS + 100);
      source.down = true;
      const stale = await http().get('/rates/a').expect(200);
      expect(stale.body).toEqual({ id: 'a', value: 'v1' });
      expect([stale.headers['x-cache'], stale.headers['cache-status']]).toEqual(
        ['STALE', 'lexikon; fwd=stale'],
      );
      expect(source.loads).toBe(2);
    });

    it('answers the error when nothing within a grace period is cached', async () => {
      source.down = true;
      await request(fx.app.getHttpServer()).get('/rates/b').expect(503);
    });
  },
);
