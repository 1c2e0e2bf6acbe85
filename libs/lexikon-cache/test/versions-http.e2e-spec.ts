import {
  Body,
  Controller,
  Get,
  Inject,
  Param,
  Patch,
  Put,
} from '@nestjs/common';
import request from 'supertest';
import {
  Cacheable,
  CacheInvalidate,
  CachePut,
  CacheService,
} from '@lexikon/cache';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';
import { entryKeys } from './support/redis-keys.js';

/** The shape this release gives a term: what a schema version stands for. */
const SHAPE = Symbol('shape');

/** The database both releases share during the deploy. */
const texts = new Map<string, string>();

@Controller('terms')
class TermsController {
  reads = 0;

  constructor(@Inject(SHAPE) private readonly shape: number) {}

  private view(id: string) {
    const text = texts.get(id) ?? '';
    // release 2 moved the text into a field of its own
    return this.shape === 1
      ? { id, projectId: id, text }
      : { id, projectId: id, body: { text } };
  }

  @Get(':id')
  @Cacheable({ key: 'term:{id}', tags: ['project:{result.projectId}'] })
  read(@Param('id') id: string) {
    this.reads++;
    return this.view(id);
  }

  @Patch(':id')
  @CacheInvalidate('term:{id}')
  rename(@Param('id') id: string, @Body() body: { text: string }) {
    texts.set(id, body.text);
    return this.view(id);
  }

  @Put(':id')
  @CachePut({ key: 'term:{id}' })
  write(@Param('id') id: string, @Body() body: { text: string }) {
    texts.set(id, body.text);
    return this.view(id);
  }
}

function textOf(shape: number, body: unknown): string {
  const b = body as { text?: string; body?: { text: string } };
  return shape === 1 ? (b.text as string) : (b.body as { text: string }).text;
}

type Write = (writer: HttpFixture, id: string, text: string) => Promise<void>;

const writes: [string, Write][] = [
  [
    '@CacheInvalidate',
    async (w, id, text) => {
      await request(w.app.getHttpServer())
        .patch(`/terms/${id}`)
        .send({ text })
        .expect(200);
    },
  ],
  [
    '@CachePut',
    async (w, id, text) => {
      await request(w.app.getHttpServer())
        .put(`/terms/${id}`)
        .send({ text })
        .expect(200);
    },
  ],
  [
    'CacheService.delete',
    async (w, id, text) => {
      texts.set(id, text);
      await w.app.get(CacheService).delete(`term:${id}`);
    },
  ],
  [
    'CacheService.invalidateTags',
    async (w, id, text) => {
      texts.set(id, text);
      await w.app.get(CacheService).invalidateTags([`project:${id}`]);
    },
  ],
  [
    "CacheService.deletePattern('term:*')",
    async (w, id, text) => {
      texts.set(id, text);
      await w.app.get(CacheService).deletePattern('term:*');
    },
  ],
  [
    "CacheService.deletePattern('*:<id>'), not ending in *",
    async (w, id, text) => {
      texts.set(id, text);
      await w.app.get(CacheService).deletePattern(`*:${id}`);
    },
  ],
];

const adapters: AdapterKind[] = ['express', 'fastify'];

describe.each(adapters)(
  'two releases of a route on one Redis (%s)',
  (adapter) => {
    const prefix = uniquePrefix(`versions-http-${adapter}`);
    let v1: HttpFixture;
    let v2: HttpFixture;
    const shapeOf = (f: HttpFixture) => (f === v1 ? 1 : 2);
    const reads = (f: HttpFixture) => f.app.get(TermsController).reads;
    const get = (f: HttpFixture, id: string, user?: string) => {
      const r = request(f.app.getHttpServer()).get(`/terms/${id}`);
      return user ? r.set('x-user', user) : r;
    };
    /** A GET that must be served as `state`, with this text in the app's own shape. */
    async function expectRead(
      f: HttpFixture,
      id: string,
      user: string | undefined,
      state: 'HIT' | 'MISS',
      text: string,
    ): Promise<void> {
      const r = await get(f, id, user).expect(200);
      expect([r.headers['x-cache'], textOf(shapeOf(f), r.body)]).toEqual([
        state,
        text,
      ]);
    }

    beforeAll(async () => {
      const release = (shape: number, version: number) =>
        createHttpFixture(
          adapter,
          'versions',
          [TermsController],
          [{ provide: SHAPE, useValue: shape }],
          { keyPrefix: prefix, version },
        );
      v1 = await release(1, 1);
      v2 = await release(2, 2);
    });

    afterAll(async () => {
      await v1?.close();
      await v2?.close();
    });

    beforeEach(() => {
      v1.app.get(TermsController).reads = 0;
      v2.app.get(TermsController).reads = 0;
    });

    it("neither release reads the other's entries, anonymous or private", async () => {
      texts.set('1', 'one');
      for (const user of [undefined, '7']) {
        await expectRead(v1, '1', user, 'MISS', 'one');
        await expectRead(v2, '1', user, 'MISS', 'one');
        await expectRead(v1, '1', user, 'HIT', 'one');
        await expectRead(v2, '1', user, 'HIT', 'one');
      }
      expect([reads(v1), reads(v2)]).toEqual([2, 2]);
      // version 1 stays at the key itself; a version's copy goes before the principal's
      const keys = await entryKeys(v1.raw, prefix, 'term:1*');
      expect(keys).toEqual(
        ['term:1', 'term:1:~u:7', 'term:1:~v:2', 'term:1:~v:2:~u:7'].map(
          (k) => prefix + k,
        ),
      );
      // nothing was flushed: every entry ages out by its own TTL
      for (const key of keys) {
        expect(await v1.raw.pttl(key)).toBeGreaterThan(0);
      }
    });

    it('an application without versions shares the entries of version 1', async () => {
      const unversioned = await createHttpFixture(
        adapter,
        'versions',
        [TermsController],
        [{ provide: SHAPE, useValue: 1 }],
        { keyPrefix: prefix },
      );
      try {
        texts.set('2', 'two');
        await expectRead(v1, '2', undefined, 'MISS', 'two');
        const r = await get(unversioned, '2').expect(200);
        expect(r.headers['x-cache']).toBe('HIT');
        expect(unversioned.app.get(TermsController).reads).toBe(0);
      } finally {
        // its keys are the others' too: closed without deleting them
        unversioned.raw.disconnect();
        await unversioned.app.close();
      }
    });

    describe.each(writes)('a write by %s', (name, write) => {
      it.each(['v1', 'v2'] as const)(
        'through %s is seen at once by both releases',
        async (writerName) => {
          const writer = writerName === 'v1' ? v1 : v2;
          const id = `w-${writerName}-${writes.findIndex(([n]) => n === name)}`;
          texts.set(id, 'before');
          for (const f of [v1, v2]) {
            for (const user of [undefined, '7']) {
              await expectRead(f, id, user, 'MISS', 'before');
              await expectRead(f, id, user, 'HIT', 'before');
            }
          }
          expect([reads(v1), reads(v2)]).toEqual([2, 2]);

          await write(writer, id, 'after');

          const put = name === '@CachePut';
          for (const f of [v1, v2]) {
            // a put stores the writer's copy for its own caller (anonymous here)
            const own = put && f === writer;
            await expectRead(f, id, undefined, own ? 'HIT' : 'MISS', 'after');
            await expectRead(f, id, '7', 'MISS', 'after');
          }
          expect([reads(v1), reads(v2)]).toEqual(
            put && writer === v1 ? [3, 4] : put ? [4, 3] : [4, 4],
          );
        },
      );
    });
  },
);
