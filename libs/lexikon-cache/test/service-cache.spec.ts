import { Injectable, Logger, Scope, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { jest } from '@jest/globals';
import {
  Cacheable,
  CacheDecorationError,
  CacheInvalidate,
  CachePut,
  CacheService,
  CacheTemplateError,
  LexikonCacheModule,
} from '@lexikon/cache';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import { Redis } from 'ioredis';

interface Term {
  id: string;
  name: string;
  projectId: string;
  updatedAt: Date;
}

const ROLE = 'test:role';

@Injectable()
class TermsService {
  readonly terms = new Map<string, Term>();
  loads = 0;
  searches = 0;

  @Cacheable({ key: 'term:{id}', tags: ['project:{result.projectId}'] })
  @SetMetadata(ROLE, 'reader')
  async findOne(id: string): Promise<Term | null> {
    this.loads++;
    return this.terms.get(id) ?? null;
  }

  @Cacheable()
  async search(
    filter: { q: string; projectId?: string },
    limit = 10,
  ): Promise<string[]> {
    this.searches++;
    return [...this.terms.values()]
      .filter(
        (t) =>
          t.name.includes(filter.q) &&
          (!filter.projectId || t.projectId === filter.projectId),
      )
      .slice(0, limit)
      .map((t) => t.id);
  }

  async findTwice(id: string): Promise<[Term | null, Term | null]> {
    return [await this.findOne(id), await this.findOne(id)];
  }

  @CacheInvalidate('term:{id}')
  async rename(id: string, name: string): Promise<Term> {
    const term = this.terms.get(id);
    if (!term) throw new Error('no such term');
    const next = { ...term, name, updatedAt: new Date() };
    this.terms.set(id, next);
    return next;
  }

  @CacheInvalidate({ tags: ['project:{0}'] })
  async touchProject(projectId: string): Promise<void> {
    for (const [id, t] of this.terms) {
      if (t.projectId === projectId)
        this.terms.set(id, { ...t, name: `${t.name}!` });
    }
  }

  @CachePut({ key: 'term:{result.id}' })
  async save(term: Term): Promise<Term> {
    this.terms.set(term.id, term);
    return term;
  }
}

@Injectable()
class SyncService {
  @Cacheable({ key: 'x' })
  notAsync(): number {
    return 1;
  }
}

@Injectable()
class BadTemplateService {
  @Cacheable({ key: 'user:{userId}' })
  async find(id: string): Promise<string> {
    return id;
  }
}

@Injectable({ scope: Scope.REQUEST })
class RequestScopedService {
  @Cacheable({ key: 'scoped' })
  async value(): Promise<number> {
    return 1;
  }
}

describe('caching service methods', () => {
  const prefix = uniquePrefix('service');
  let terms: TermsService;
  let cache: CacheService;
  let close: () => Promise<void>;
  let raw: Redis;

  beforeAll(async () => {
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: testRedisUrl() },
          keyPrefix: prefix,
        }),
      ],
      providers: [TermsService],
    }).compile();
    await module.init();
    terms = module.get(TermsService);
    cache = module.get(CacheService);
    raw = new Redis(testRedisUrl());
    close = async () => {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
      await module.close();
    };
  });

  afterAll(async () => {
    await close();
  });

  beforeEach(() => {
    terms.terms.clear();
    terms.loads = 0;
    terms.searches = 0;
  });

  const term = (id: string, projectId = 'p1'): Term => ({
    id,
    name: `term ${id}`,
    projectId,
    updatedAt: new Date('2025-01-01T00:00:00Z'),
  });

  it('caches a decorated method, keeping types, and keeps `this`', async () => {
    terms.terms.set('t1', term('t1'));
    const first = await terms.findOne('t1');
    const second = await terms.findOne('t1');
    expect(second).toEqual(first);
    expect(second?.updatedAt).toBeInstanceOf(Date);
    expect(terms.loads).toBe(1);
    expect(await raw.exists(`${prefix}term:t1`)).toBe(1);
  });

  it('caches calls a provider makes to its own method through `this`', async () => {
    terms.terms.set('t2', term('t2'));
    const [a, b] = await terms.findTwice('t2');
    expect(a).toEqual(b);
    expect(terms.loads).toBe(1);
  });

  it('caches null results', async () => {
    expect(await terms.findOne('missing')).toBeNull();
    expect(await terms.findOne('missing')).toBeNull();
    expect(terms.loads).toBe(1);
  });

  it('derives a key from class, method and canonical arguments', async () => {
    terms.terms.set('t3', term('t3'));
    await terms.search({ q: 'term', projectId: 'p1' }, 5);
    await terms.search({ projectId: 'p1', q: 'term' }, 5);
    expect(terms.searches).toBe(1);
    await terms.search({ q: 'term', projectId: 'p1' }, 6);
    expect(terms.searches).toBe(2);
  });

  it('invalidates by key after a successful write', async () => {
    terms.terms.set('t4', term('t4'));
    await terms.findOne('t4');
    await terms.rename('t4', 'renamed');
    expect((await terms.findOne('t4'))?.name).toBe('renamed');
    expect(terms.loads).toBe(2);
    await expect(terms.rename('nope', 'x')).rejects.toThrow('no such term');
  });

  it('invalidates by a tag learnt from the result', async () => {
    terms.terms.set('t5', term('t5', 'p9'));
    terms.terms.set('t6', term('t6', 'p8'));
    await terms.findOne('t5');
    await terms.findOne('t6');
    await terms.touchProject('p9');
    expect((await terms.findOne('t5'))?.name).toBe('term t5!');
    expect((await terms.findOne('t6'))?.name).toBe('term t6');
    expect(terms.loads).toBe(3);
  });

  it('writes through with @CachePut', async () => {
    await terms.save(term('t7'));
    expect(await terms.findOne('t7')).toEqual(term('t7'));
    expect(terms.loads).toBe(0);
    expect(await cache.get('term:t7')).toEqual(term('t7'));
  });

  it('keeps the metadata of other decorators on the wrapped method', () => {
    const reflector = new Reflector();
    // oxlint-disable-next-line typescript/unbound-method -- read for its metadata only
    expect(reflector.get(ROLE, terms.findOne)).toBe('reader');
    expect(terms.findOne.name).toBe('findOne');
  });

  it('shares one call among 200 concurrent callers of a cold key', async () => {
    terms.terms.set('t8', term('t8'));
    const slow = jest.spyOn(terms.terms, 'get');
    const all = await Promise.all(
      Array.from({ length: 200 }, () => terms.findOne('t8')),
    );
    expect(terms.loads).toBe(1);
    expect(slow).toHaveBeenCalledTimes(1);
    expect(new Set(all.map((t) => t?.id))).toEqual(new Set(['t8']));
    slow.mockRestore();
  });
});

describe('bootstrap checks', () => {
  async function boot(provider: object): Promise<void> {
    const module = await Test.createTestingModule({
      imports: [LexikonCacheModule.forRoot({ store: 'memory' })],
      providers: [provider as never],
    }).compile();
    try {
      await module.init();
    } finally {
      await module.close();
    }
  }

  it('refuses a decorated method that is not async, naming it', async () => {
    const err = await boot(SyncService).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheDecorationError);
    expect((err as Error).message).toContain('SyncService.notAsync');
  });

  it('refuses a template that references an absent argument, naming the method', async () => {
    const err = await boot(BadTemplateService).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CacheTemplateError);
    expect((err as Error).message).toContain('BadTemplateService.find');
    expect((err as Error).message).toContain('userId');
  });

  it('warns about request-scoped providers instead of breaking them', async () => {
    const warn = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation(() => undefined);
    await expect(boot(RequestScopedService)).resolves.toBeUndefined();
    expect(
      warn.mock.calls.some(([m]) =>
        String(m).includes('RequestScopedService.value'),
      ),
    ).toBe(true);
    warn.mockRestore();
  });
});
