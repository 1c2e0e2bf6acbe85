import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import request from 'supertest';
import { Cacheable, CachePut } from '@lexikon/cache';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';
import { entryKeys } from './support/redis-keys.js';

const texts = new Map<string, string>();
let reads = 0;

interface Caller {
  user?: { id: string };
}

function viewer(req: Caller): string {
  return req.user?.id ?? 'anonymous';
}

/** A document read privately (each caller's own copy) and written through with @CachePut. */
@Controller('docs')
class DocsController {
  @Get('shared/:id')
  @Cacheable({ key: 'shared:{id}', scope: 'public' })
  readShared(@Param('id') id: string) {
    reads++;
    return { id, text: texts.get(id) ?? '', from: 'read' };
  }

  @Put('shared/:id')
  @CachePut({ key: 'shared:{id}', scope: 'public' })
  writeShared(
    @Param('id') id: string,
    @Body() body: { text: string },
    @Req() req: Caller,
  ) {
    texts.set(id, body.text);
    return { id, text: body.text, from: 'put', by: viewer(req) };
  }

  @Get(':id')
  @Cacheable({ key: 'doc:{id}' })
  read(@Param('id') id: string, @Req() req: Caller) {
    reads++;
    return { id, text: texts.get(id) ?? '', for: viewer(req), from: 'read' };
  }

  @Put(':id')
  @CachePut({ key: 'doc:{id}' })
  write(
    @Param('id') id: string,
    @Body() body: { text: string },
    @Req() req: Caller,
  ) {
    texts.set(id, body.text);
    return { id, text: body.text, for: viewer(req), from: 'put' };
  }
}

const MAX_VALUE_BYTES = 2048;

const setups: [AdapterKind, 'redis' | 'memory'][] = [
  ['express', 'redis'],
  ['fastify', 'redis'],
  ['express', 'memory'],
  ['fastify', 'memory'],
];

describe.each(setups)(
  '@CachePut on a route on %s with the %s store',
  (adapter, store) => {
    let f: HttpFixture;
    const http = () => request(f.app.getHttpServer());
    const get = (path: string, user?: string) => {
      const r = http().get(path);
      return user ? r.set('x-user', user) : r;
    };
    const put = (path: string, text: string, user?: string) => {
      const r = http().put(path).send({ text });
      return user ? r.set('x-user', user) : r;
    };

    beforeAll(async () => {
      f = await createHttpFixture(
        adapter,
        `put-${adapter}-${store}`,
        [DocsController],
        [],
        {
          maxValueBytes: MAX_VALUE_BYTES,
          ...(store === 'memory' ? { store: 'memory' as const } : {}),
        },
      );
    });

    afterAll(async () => {
      await f.close();
    });

    beforeEach(() => {
      texts.clear();
      reads = 0;
    });

    it("writes the caller's own copy: others never get it, and get a fresh answer", async () => {
      texts.set('1', 'draft');
      // everyone has a copy of the draft
      for (const user of ['7', '8', undefined]) {
        await get('/docs/1', user).expect(200);
        expect((await get('/docs/1', user)).headers['x-cache']).toBe('HIT');
      }
      expect(reads).toBe(3);

      const written = await put('/docs/1', 'final', '7').expect(200);
      expect(written.body).toEqual({
        id: '1',
        text: 'final',
        for: '7',
        from: 'put',
      });

      const mine = await get('/docs/1', '7').expect(200);
      expect(mine.headers['x-cache']).toBe('HIT');
      expect(mine.text).toBe(written.text);
      expect(reads).toBe(3);

      const anonymous = await get('/docs/1').expect(200);
      expect(anonymous.headers['x-cache']).toBe('MISS');
      expect(anonymous.body).toEqual({
        id: '1',
        text: 'final',
        for: 'anonymous',
        from: 'read',
      });
      const other = await get('/docs/1', '8').expect(200);
      expect(other.headers['x-cache']).toBe('MISS');
      expect(other.body).toEqual({
        id: '1',
        text: 'final',
        for: '8',
        from: 'read',
      });
      expect(reads).toBe(5);
    });

    it('a put by a caller without a cached copy is not served to anyone else', async () => {
      texts.set('2', 'draft');
      const written = await put('/docs/2', 'final', '7').expect(200);
      for (const user of ['8', undefined]) {
        const r = await get('/docs/2', user).expect(200);
        expect(r.headers['x-cache']).toBe('MISS');
        expect(r.body).toMatchObject({
          from: 'read',
          for: user ?? 'anonymous',
        });
      }
      const mine = await get('/docs/2', '7').expect(200);
      expect(mine.headers['x-cache']).toBe('HIT');
      expect(mine.text).toBe(written.text);
    });

    it("with scope: 'public', writes one entry that every caller shares", async () => {
      texts.set('3', 'draft');
      await get('/docs/shared/3').expect(200);
      const written = await put('/docs/shared/3', 'final', '7').expect(200);
      for (const user of [undefined, '7', '8']) {
        const r = await get('/docs/shared/3', user).expect(200);
        expect(r.headers['x-cache']).toBe('HIT');
        expect(r.text).toBe(written.text);
      }
      expect(reads).toBe(1);
      if (store === 'redis') {
        expect(await entryKeys(f.raw, f.prefix, 'shared:*')).toEqual([
          `${f.prefix}shared:3`,
        ]);
      }
    });

    it('does not store a put result larger than maxValueBytes, nor serve the older entry', async () => {
      const big = 'x'.repeat(MAX_VALUE_BYTES + 100);
      for (const [path, user] of [
        ['/docs/shared/4', undefined],
        ['/docs/4', '7'],
      ] as const) {
        texts.set('4', 'small');
        reads = 0;
        await get(path, user).expect(200);
        expect((await get(path, user)).headers['x-cache']).toBe('HIT');

        await put(path, big, user ?? '7').expect(200);
        const after = await get(path, user).expect(200);
        expect(after.headers['x-cache']).toBe('MISS');
        expect(after.body).toMatchObject({ text: big, from: 'read' });
        expect(reads).toBe(2);
      }
      if (store === 'redis') {
        expect(await entryKeys(f.raw, f.prefix, '*4*')).toEqual([]);
      }
    });
  },
);
