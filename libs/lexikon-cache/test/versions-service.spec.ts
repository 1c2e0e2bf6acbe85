import { Inject, Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  CachePut,
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import { entryKeys } from './support/redis-keys.js';

const SHAPE = Symbol('shape');

/** The database both releases share during the deploy. */
const texts = new Map<string, string>();

interface TermV1 {
  id: string;
  projectId: string;
  text: string;
}
interface TermV2 {
  id: string;
  projectId: string;
  content: { text: string };
}

@Injectable()
class TermsService {
  loads = 0;
  pinnedLoads = 0;

  constructor(@Inject(SHAPE) readonly shape: number) {}

  private view(id: string): TermV1 | TermV2 {
    const text = texts.get(id) ?? '';
    return this.shape === 1
      ? { id, projectId: id, text }
      : { id, projectId: id, content: { text } };
  }

  @Cacheable({ key: 'term:{id}', tags: ['project:{result.projectId}'] })
  async find(id: string): Promise<TermV1 | TermV2> {
    this.loads++;
    return this.view(id);
  }

  @CacheInvalidate('term:{id}')
  async rename(id: string, text: string): Promise<void> {
    texts.set(id, text);
  }

  @CachePut({ key: 'term:{result.id}' })
  async save(id: string, text: string): Promise<TermV1 | TermV2> {
    texts.set(id, text);
    return this.view(id);
  }

  /** A decorator's own version wins over the module's. */
  @Cacheable({ key: 'pinned:{0}', version: 3 })
  async pinned(id: string): Promise<string> {
    this.pinnedLoads++;
    return `pinned ${id}`;
  }
}

function textOf(term: TermV1 | TermV2): string {
  return 'text' in term ? term.text : term.content.text;
}

interface Release {
  module: TestingModule;
  terms: TermsService;
  cache: CacheService;
}

async function release(
  prefix: string,
  shape: number,
  options: LexikonCacheModuleOptions,
): Promise<Release> {
  const module = await Test.createTestingModule({
    imports: [
      LexikonCacheModule.forRoot({
        redis: { url: testRedisUrl() },
        keyPrefix: prefix,
        interceptor: false,
        ...options,
      }),
    ],
    providers: [TermsService, { provide: SHAPE, useValue: shape }],
  }).compile();
  await module.init();
  return {
    module,
    terms: module.get(TermsService),
    cache: module.get(CacheService),
  };
}

type Write = (writer: Release, id: string, text: string) => Promise<unknown>;

const writes: [string, Write][] = [
  ['@CacheInvalidate', (w, id, text) => w.terms.rename(id, text)],
  ['@CachePut', (w, id, text) => w.terms.save(id, text)],
  [
    'CacheService.delete',
    (w, id, text) => {
      texts.set(id, text);
      return w.cache.delete(`term:${id}`);
    },
  ],
  [
    'CacheService.invalidateTags',
    (w, id, text) => {
      texts.set(id, text);
      return w.cache.invalidateTags([`project:${id}`]);
    },
  ],
  [
    "CacheService.deletePattern('term:*')",
    (w, id, text) => {
      texts.set(id, text);
      return w.cache.deletePattern('term:*');
    },
  ],
  [
    "CacheService.deletePattern('*:<id>'), not ending in *",
    (w, id, text) => {
      texts.set(id, text);
      return w.cache.deletePattern(`*:${id}`);
    },
  ],
];

/** Release 1 says `version: 1`; release 2 versions the `term` namespace only. */
describe('two releases of a service on one Redis', () => {
  const prefix = uniquePrefix('versions-service');
  let v1: Release;
  let v2: Release;
  let raw: Redis;

  beforeAll(async () => {
    v1 = await release(prefix, 1, { version: 1 });
    v2 = await release(prefix, 2, { versions: { term: 2 } });
    raw = new Redis(testRedisUrl());
  });

  afterAll(async () => {
    await v1?.module.close();
    await v2?.module.close();
    await deleteKeysWithPrefix(raw, prefix);
    raw.disconnect();
  });

  beforeEach(() => {
    for (const r of [v1, v2]) {
      r.terms.loads = 0;
      r.terms.pinnedLoads = 0;
    }
  });

  it("neither release reads the other's entries", async () => {
    texts.set('1', 'one');
    for (let i = 0; i < 2; i++) {
      expect(await v1.terms.find('1')).toEqual({
        id: '1',
        projectId: '1',
        text: 'one',
      });
      expect(await v2.terms.find('1')).toEqual({
        id: '1',
        projectId: '1',
        content: { text: 'one' },
      });
    }
    expect([v1.terms.loads, v2.terms.loads]).toEqual([1, 1]);
    expect(await entryKeys(raw, prefix, 'term:1*')).toEqual([
      `${prefix}term:1`,
      `${prefix}term:1:~v:2`,
    ]);
  });

  it("uses a decorator's own version in every release", async () => {
    expect(await v1.terms.pinned('1')).toBe('pinned 1');
    expect(await v2.terms.pinned('1')).toBe('pinned 1');
    expect([v1.terms.pinnedLoads, v2.terms.pinnedLoads]).toEqual([1, 0]);
    expect(await entryKeys(raw, prefix, 'pinned:*')).toEqual([
      `${prefix}pinned:1:~v:3`,
    ]);
  });

  describe.each(writes)('a write by %s', (name, write) => {
    it.each(['v1', 'v2'] as const)(
      'through %s is seen at once by both releases',
      async (writerName) => {
        const writer = writerName === 'v1' ? v1 : v2;
        const id = `w-${writerName}-${writes.findIndex(([n]) => n === name)}`;
        texts.set(id, 'before');
        for (const r of [v1, v2]) {
          expect(textOf(await r.terms.find(id))).toBe('before');
          expect(textOf(await r.terms.find(id))).toBe('before');
        }
        expect([v1.terms.loads, v2.terms.loads]).toEqual([1, 1]);

        await write(writer, id, 'after');

        for (const r of [v1, v2]) {
          expect(textOf(await r.terms.find(id))).toBe('after');
        }
        // a put stored the writer's own version: only the other release loads
        const put = name === '@CachePut';
        expect([v1.terms.loads, v2.terms.loads]).toEqual(
          put && writer === v1 ? [1, 2] : put ? [2, 1] : [2, 2],
        );
      },
    );
  });

  it('CacheService reads and writes its release’s version, or the one a call names', async () => {
    expect(await v2.cache.set('term:s', { v: 2 })).toBe(true);
    expect(await v1.cache.get('term:s')).toBeUndefined();
    expect(await v1.cache.exists('term:s')).toBe(false);
    expect(await v1.cache.set('term:s', { v: 1 })).toBe(true);
    expect(await v2.cache.get('term:s')).toEqual({ v: 2 });
    expect(await v1.cache.get('term:s')).toEqual({ v: 1 });
    expect(await v1.cache.get('term:s', { version: 2 })).toEqual({ v: 2 });
    expect(await v2.cache.get('term:s', { version: 1 })).toEqual({ v: 1 });

    let loaded = 0;
    const loader = (v: number) => () => {
      loaded++;
      return { v };
    };
    expect(await v1.cache.getOrSet('term:g', loader(1))).toEqual({ v: 1 });
    expect(await v2.cache.getOrSet('term:g', loader(2))).toEqual({ v: 2 });
    expect(await v2.cache.getOrSet('term:g', loader(2))).toEqual({ v: 2 });
    expect(loaded).toBe(2);

    // a write through either reaches both
    await v1.cache.delete('term:s');
    expect(await v2.cache.get('term:s')).toBeUndefined();
    await v2.cache.delete('term:g');
    expect(await v1.cache.get('term:g')).toBeUndefined();
  });

  it('mget and mset address each key’s version', async () => {
    expect(
      await v2.cache.mset({ 'term:m1': 1, 'term:m2': 2, 'other:m': 3 }),
    ).toBe(true);
    expect(await v2.cache.mget(['term:m1', 'term:m2', 'other:m'])).toEqual([
      1, 2, 3,
    ]);
    // `other` is not versioned in release 2: both share it
    expect(await v1.cache.mget(['term:m1', 'term:m2', 'other:m'])).toEqual([
      undefined,
      undefined,
      3,
    ]);
    await v1.cache.delete('term:m1');
    expect(await v2.cache.mget(['term:m1', 'term:m2'])).toEqual([undefined, 2]);
  });

  it('refuses a version that is not a positive integer, naming it', async () => {
    await expect(v1.cache.get('term:x', { version: 0 })).rejects.toThrow(
      /version must be a positive integer/,
    );
  });
});
