import { Controller, Get } from '@nestjs/common';
import request from 'supertest';
import { Cacheable } from '@lexikon/cache';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';
import { entryKeys } from './support/redis-keys.js';

const runs = new Map<string, number>();

function ran(route: string): number {
  const n = (runs.get(route) ?? 0) + 1;
  runs.set(route, n);
  return n;
}

@Controller('account')
class AccountController {
  @Get('me')
  @Cacheable({ key: 'me' })
  me() {
    return { n: ran('me') };
  }

  @Get('news')
  @Cacheable({ key: 'news', scope: 'public' })
  news() {
    return { n: ran('news') };
  }

  @Get('weather')
  @Cacheable({ key: 'weather', scope: 'public', maxAge: '30s' })
  weather() {
    return { n: ran('weather') };
  }
}

function varyOf(res: request.Response): string[] {
  return String(res.headers.vary ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean)
    .sort();
}

const setups: [AdapterKind, 'redis' | 'memory'][] = [
  ['express', 'redis'],
  ['fastify', 'redis'],
  ['express', 'memory'],
  ['fastify', 'memory'],
];

describe.each(setups)(
  'credentials on %s with the %s store',
  (adapter, store) => {
    const storeOptions = store === 'memory' ? { store: 'memory' as const } : {};

    describe('with the default credential headers', () => {
      let f: HttpFixture;
      const http = () => request(f.app.getHttpServer());

      beforeAll(async () => {
        f = await createHttpFixture(
          adapter,
          `credentials-${adapter}-${store}`,
          [AccountController],
          [],
          storeOptions,
        );
      });

      afterAll(async () => {
        await f.close();
      });

      beforeEach(() => runs.clear());

      it('never caches a private route for an X-API-Key without a principal', async () => {
        for (const key of ['key-a', 'key-a', 'key-b']) {
          const r = await http()
            .get('/account/me')
            .set('X-API-Key', key)
            .expect(200);
          expect(r.headers['x-cache']).toBe('BYPASS');
        }
        expect(runs.get('me')).toBe(3);
        if (store === 'redis') {
          expect(await entryKeys(f.raw, f.prefix, 'me*')).toEqual([]);
        }
      });

      it('sends private responses as private, no-cache, varying on every credential header', async () => {
        const miss = await http().get('/account/me').set('x-user', 'u1');
        const hit = await http().get('/account/me').set('x-user', 'u1');
        expect([miss.headers['x-cache'], hit.headers['x-cache']]).toEqual([
          'MISS',
          'HIT',
        ]);
        for (const r of [miss, hit]) {
          expect(r.headers['cache-control']).toBe('private, no-cache');
          expect(varyOf(r)).toEqual(['authorization', 'cookie', 'x-api-key']);
        }
      });

      it('sends public responses as public, no-cache, or with the max-age of the route', async () => {
        for (let i = 0; i < 2; i++) {
          const news = await http().get('/account/news').expect(200);
          expect(news.headers['cache-control']).toBe('public, no-cache');
          const weather = await http().get('/account/weather').expect(200);
          expect(weather.headers['cache-control']).toBe('public, max-age=30');
        }
        expect(runs.get('news')).toBe(1);
        expect(runs.get('weather')).toBe(1);
      });

      it('sends a public route private when the request carries credentials', async () => {
        await http().get('/account/news').expect(200);
        for (const [name, value] of [
          ['Authorization', 'Bearer t'],
          ['Cookie', 'sid=1'],
          ['X-API-Key', 'k'],
        ]) {
          for (const path of ['/account/news', '/account/weather']) {
            const r = await http().get(path).set(name, value).expect(200);
            expect(r.headers['cache-control']).toBe('private, no-cache');
          }
        }
        const withUser = await http().get('/account/news').set('x-user', 'u2');
        expect(withUser.headers['cache-control']).toBe('private, no-cache');
      });
    });

    describe("with credentialHeaders: ['x-token']", () => {
      let f: HttpFixture;
      const http = () => request(f.app.getHttpServer());

      beforeAll(async () => {
        f = await createHttpFixture(
          adapter,
          `credentials-custom-${adapter}-${store}`,
          [AccountController],
          [],
          { ...storeOptions, credentialHeaders: ['x-token'] },
        );
      });

      afterAll(async () => {
        await f.close();
      });

      beforeEach(() => runs.clear());

      it('never caches a private route for that header without a principal', async () => {
        for (let i = 0; i < 2; i++) {
          const r = await http()
            .get('/account/me')
            .set('X-Token', 't')
            .expect(200);
          expect(r.headers['x-cache']).toBe('BYPASS');
        }
        expect(runs.get('me')).toBe(2);
      });

      it('varies private responses on that header and sends public ones private with it', async () => {
        const mine = await http().get('/account/me').set('x-user', 'u1');
        expect(mine.headers['cache-control']).toBe('private, no-cache');
        expect(varyOf(mine)).toEqual(['x-token']);
        const news = await http().get('/account/news').set('X-Token', 't');
        expect(news.headers['cache-control']).toBe('private, no-cache');
      });
    });
  },
);
