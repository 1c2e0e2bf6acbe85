import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import request from 'supertest';
import { Cacheable, CacheInvalidate, CachePut } from '@lexikon/cache';
import { escapeKeyPart } from '../src/core/keys/cache-keys.js';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';
import { entryKeys } from './support/redis-keys.js';

/** Counts handler runs per route, so tests can tell a hit from a load. */
const runs = new Map<string, number>();
const data = new Map<string, string>();

function ran(route: string): number {
  return runs.get(route) ?? 0;
}

function count(route: string): void {
  runs.set(route, ran(route) + 1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

@Controller('items')
class ItemsController {
  @Get('null')
  @Cacheable({ scope: 'public' })
  async nothing() {
    count('null');
    return null;
  }

  @Get('cond')
  @Cacheable({ scope: 'public', condition: (ctx) => ctx.query?.fresh !== '1' })
  async conditional() {
    count('cond');
    return { n: ran('cond') };
  }

  @Get('unless')
  @Cacheable<{ partial: boolean }>({
    scope: 'public',
    unless: (r) => r.partial,
  })
  async unlessPartial(@Query('partial') partial?: string) {
    count('unless');
    return { partial: partial === '1', n: ran('unless') };
  }

  @Get('me')
  @Cacheable({ key: 'profile' })
  async me(@Req() req: { user?: { id: string } }) {
    count('me');
    return { user: req.user?.id ?? null };
  }

  @Put('me')
  @CacheInvalidate('profile')
  async touchProfiles() {
    return { touched: true };
  }

  @Get('cookie')
  @Cacheable({ scope: 'public' })
  @Header('Set-Cookie', 'session=abc')
  async cookie() {
    count('cookie');
    return { n: ran('cookie') };
  }

  @Get('raw')
  @Cacheable({ scope: 'public' })
  raw(@Res() res: { send?: (b: unknown) => void; status?: unknown }) {
    count('raw');
    (res.send as (b: unknown) => void).call(res, { n: ran('raw') });
  }

  @Get('created')
  @HttpCode(202)
  @Cacheable({ scope: 'public' })
  async accepted() {
    count('created');
    return { n: ran('created') };
  }

  @Get('search')
  @Cacheable({ key: 'search:{q}', scope: 'public' })
  async search(@Query('q') q: string) {
    count('search');
    return { q };
  }

  @Get('slow/:id')
  @Cacheable({ key: 'slow:{id}', scope: 'public' })
  async slow(@Param('id') id: string) {
    count('slow');
    await sleep(50);
    return { id };
  }

  @Get(':id')
  @Cacheable({ key: 'item:{id}', scope: 'public' })
  async get(@Param('id') id: string) {
    count(`get:${id}`);
    return { id, value: data.get(id) ?? null };
  }

  @Post()
  @Cacheable({ scope: 'public' })
  async create(@Body() body: { id: string; value: string }) {
    count('create');
    data.set(body.id, body.value);
    return { created: body.id, n: ran('create') };
  }

  @Put(':id')
  @CacheInvalidate('item:{id}')
  async update(@Param('id') id: string, @Body() body: { value: string }) {
    data.set(id, body.value);
    return { id, value: body.value };
  }

  @Put(':id/fail')
  @CacheInvalidate('item:{id}')
  async failingUpdate(
    @Param('id') id: string,
    @Body() body: { value: string },
  ) {
    data.set(id, body.value);
    throw new Error('write failed after changing data');
  }

  @Put(':id/through')
  @CachePut({ key: 'item:{id}' })
  async writeThrough(@Param('id') id: string, @Body() body: { value: string }) {
    data.set(id, body.value);
    return { id, value: body.value };
  }

  @Put(':id/before')
  @CacheInvalidate({ keys: ['item:{id}'], when: 'before' })
  async updateBefore(@Param('id') id: string, @Body() body: { value: string }) {
    data.set(id, body.value);
    return { id };
  }

  @Delete(':id')
  @CacheInvalidate('item:{id}')
  @CacheInvalidate({ keys: ['search:{id}'] })
  async remove(@Param('id') id: string) {
    data.delete(id);
    return { deleted: id };
  }
}

const setups: [AdapterKind, 'redis' | 'memory'][] = [
  ['express', 'redis'],
  ['fastify', 'redis'],
  ['express', 'memory'],
  ['fastify', 'memory'],
];

describe.each(setups)(
  'HTTP caching on %s with the %s store',
  (adapter, store) => {
    let f: HttpFixture;
    const http = () => request(f.app.getHttpServer());

    beforeAll(async () => {
      f = await createHttpFixture(
        adapter,
        `http-${adapter}-${store}`,
        [ItemsController],
        [],
        store === 'memory' ? { store: 'memory' } : {},
      );
    });

    afterAll(async () => {
      await f.close();
    });

    beforeEach(() => {
      runs.clear();
      data.clear();
    });

    it('answers MISS then HIT, running the handler once', async () => {
      data.set('a1', 'one');
      const first = await http().get('/items/a1').expect(200);
      expect(first.headers['x-cache']).toBe('MISS');
      expect(first.body).toEqual({ id: 'a1', value: 'one' });
      const second = await http().get('/items/a1').expect(200);
      expect(second.headers['x-cache']).toBe('HIT');
      expect(second.body).toEqual({ id: 'a1', value: 'one' });
      expect(second.headers['content-type']).toMatch(/^application\/json/);
      expect(ran('get:a1')).toBe(1);
      if (store === 'redis') {
        expect(await f.raw.exists(`${f.prefix}item:a1`)).toBe(1);
      }
    });

    it('serves HEAD from the same entry', async () => {
      await http().get('/items/h1').expect(200);
      const head = await http().head('/items/h1').expect(200);
      expect(head.headers['x-cache']).toBe('HIT');
      expect(ran('get:h1')).toBe(1);
    });

    it('sends an ETag and answers 304 to a matching If-None-Match', async () => {
      const first = await http().get('/items/e1').expect(200);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[\w-]+"$/);
      const again = await http()
        .get('/items/e1')
        .set('If-None-Match', etag)
        .expect(304);
      expect(again.text ?? '').toBe('');
      await http().get('/items/e1').set('If-None-Match', '"other"').expect(200);
      expect(ran('get:e1')).toBe(1);
    });

    it('keeps principal-scoped entries apart and shares public ones', async () => {
      const a = await http()
        .get('/items/me')
        .set('x-user', 'alice')
        .expect(200);
      expect(a.body).toEqual({ user: 'alice' });
      const b = await http().get('/items/me').set('x-user', 'bob').expect(200);
      expect(b.body).toEqual({ user: 'bob' });
      expect(b.headers['x-cache']).toBe('MISS');
      const a2 = await http()
        .get('/items/me')
        .set('x-user', 'alice')
        .expect(200);
      expect(a2.headers['x-cache']).toBe('HIT');
      expect(a2.body).toEqual({ user: 'alice' });
      expect(ran('me')).toBe(2);

      await http().get('/items/p1').set('x-user', 'alice').expect(200);
      const shared = await http()
        .get('/items/p1')
        .set('x-user', 'bob')
        .expect(200);
      expect(shared.headers['x-cache']).toBe('HIT');
    });

    it("invalidating a private key reaches every principal's entry", async () => {
      await http().get('/items/me').set('x-user', 'carol').expect(200);
      await http().get('/items/me').set('x-user', 'dave').expect(200);
      expect(
        (await http().get('/items/me').set('x-user', 'carol')).headers[
          'x-cache'
        ],
      ).toBe('HIT');
      await http().put('/items/me').expect(200);
      expect(
        (await http().get('/items/me').set('x-user', 'carol')).headers[
          'x-cache'
        ],
      ).toBe('MISS');
      expect(
        (await http().get('/items/me').set('x-user', 'dave')).headers[
          'x-cache'
        ],
      ).toBe('MISS');
    });

    it('never caches a private route for credentials it cannot tie to a principal', async () => {
      const r1 = await http()
        .get('/items/me')
        .set('Authorization', 'Bearer x')
        .expect(200);
      const r2 = await http()
        .get('/items/me')
        .set('Authorization', 'Bearer y')
        .expect(200);
      expect(r1.headers['x-cache']).toBe('BYPASS');
      expect(r2.headers['x-cache']).toBe('BYPASS');
      expect(ran('me')).toBe(2);
    });

    it('honours condition and unless', async () => {
      await http().get('/items/cond').expect(200);
      const bypass = await http().get('/items/cond?fresh=1').expect(200);
      expect(bypass.headers['x-cache']).toBe('BYPASS');
      expect(ran('cond')).toBe(2);
      await http().get('/items/unless?partial=1').expect(200);
      const again = await http().get('/items/unless?partial=1').expect(200);
      expect(again.headers['x-cache']).toBe('MISS');
      expect(ran('unless')).toBe(2);
    });

    it('does not serve a cached answer to a query the key does not account for', async () => {
      await http().get('/items/search?q=z').expect(200);
      expect((await http().get('/items/search?q=z')).headers['x-cache']).toBe(
        'HIT',
      );
      const other = await http().get('/items/search?q=z&extra=1').expect(200);
      expect(other.headers['x-cache']).toBe('BYPASS');
    });

    it('caches null results', async () => {
      await http().get('/items/null').expect(200);
      const hit = await http().get('/items/null').expect(200);
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(ran('null')).toBe(1);
    });

    it('never caches POST, Set-Cookie, @Res() or non-200 responses', async () => {
      for (let i = 0; i < 2; i++) {
        const post = await http()
          .post('/items')
          .send({ id: 'x', value: 'y' })
          .expect(201);
        expect(post.headers['x-cache']).toBe('BYPASS');
        await http().get('/items/cookie').expect(200);
        await http().get('/items/raw').expect(200);
        await http().get('/items/created').expect(202);
      }
      expect(ran('create')).toBe(2);
      expect(ran('cookie')).toBe(2);
      expect(ran('raw')).toBe(2);
      expect(ran('created')).toBe(2);
    });

    it('invalidates after a successful write, not after a failed one', async () => {
      data.set('w1', 'v1');
      await http().get('/items/w1').expect(200);
      await http().put('/items/w1').send({ value: 'v2' }).expect(200);
      const after = await http().get('/items/w1').expect(200);
      expect(after.body.value).toBe('v2');
      expect(after.headers['x-cache']).toBe('MISS');

      await http().put('/items/w1/fail').send({ value: 'v3' }).expect(500);
      const stillCached = await http().get('/items/w1').expect(200);
      expect(stillCached.headers['x-cache']).toBe('HIT');
      expect(stillCached.body.value).toBe('v2');
    });

    it('writes through with @CachePut: the next read is a hit with the new body', async () => {
      await http().get('/items/t1').expect(200);
      await http()
        .put('/items/t1/through')
        .send({ value: 'fresh' })
        .expect(200);
      const r = await http().get('/items/t1').expect(200);
      expect(r.headers['x-cache']).toBe('HIT');
      expect(r.body).toEqual({ id: 't1', value: 'fresh' });
      expect(ran('get:t1')).toBe(1);
    });

    it("invalidates before the write with when: 'before'", async () => {
      data.set('b1', 'v1');
      await http().get('/items/b1').expect(200);
      await http().put('/items/b1/before').send({ value: 'v2' }).expect(200);
      expect((await http().get('/items/b1').expect(200)).body.value).toBe('v2');
    });

    it('applies stacked invalidations', async () => {
      data.set('s1', 'v');
      await http().get('/items/s1').expect(200);
      await http().get('/items/search?q=s1').expect(200);
      await http().delete('/items/s1').expect(200);
      expect((await http().get('/items/s1')).headers['x-cache']).toBe('MISS');
      expect((await http().get('/items/search?q=s1')).headers['x-cache']).toBe(
        'MISS',
      );
    });

    it('escapes hostile template input so it never reaches another entry', async () => {
      const hostile = ['*', 'a:b', '[x]', 'a?', 'line\nbreak', '{tags}', 'x*'];
      for (const q of hostile) {
        const r = await http().get('/items/search').query({ q }).expect(200);
        expect(r.body).toEqual({ q });
        expect(r.headers['x-cache']).toBe('MISS');
      }
      for (const q of hostile) {
        const r = await http().get('/items/search').query({ q }).expect(200);
        expect(r.body).toEqual({ q });
        expect(r.headers['x-cache']).toBe('HIT');
      }
      if (store === 'memory') return; // what the keys look like is checked on Redis
      // every SCAN page: on a shared Redis the first may hold none of them
      const keys = await entryKeys(f.raw, f.prefix, 'search:*');
      const stored = new Set(keys.map((k) => k.slice(f.prefix.length)));
      for (const q of hostile) {
        const key = `search:${escapeKeyPart(q)}`;
        expect(stored.has(key)).toBe(true);
        expect(key).toMatch(/^search:[^*?[\]\n{}:]+$/);
      }
    });

    it('runs the handler once for 200 concurrent requests on a cold key', async () => {
      const server = f.app.getHttpServer();
      const responses = await Promise.all(
        Array.from({ length: 200 }, () =>
          request(server).get('/items/slow/cold').expect(200),
        ),
      );
      expect(ran('slow')).toBe(1);
      for (const r of responses) expect(r.body).toEqual({ id: 'cold' });
    });
  },
);
