import {
  type CallHandler,
  Controller,
  Get,
  Injectable,
  Logger,
  type NestInterceptor,
  Param,
  Put,
  UseInterceptors,
} from '@nestjs/common';
import { jest } from '@jest/globals';
import request from 'supertest';
import { map, type Observable } from 'rxjs';
import {
  Cacheable,
  CachePut,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { SensitiveFieldMatcher } from '../src/declarative/sensitive-fields.js';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';
import { entryKeys } from './support/redis-keys.js';

const runs = new Map<string, number>();
function ran(route: string): void {
  runs.set(route, (runs.get(route) ?? 0) + 1);
}

class Account {
  constructor(
    readonly id: string,
    readonly name: string,
    readonly passwordHash: string,
  ) {}

  /** What the API shows of it. */
  toJSON() {
    return { id: this.id, name: this.name };
  }
}

/** Inside the cache interceptor: what it stores is what this made of the result. */
@Injectable()
class DropHash implements NestInterceptor {
  intercept(_c: unknown, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        map((v) => ({ ...(v as object), passwordHash: undefined }) as unknown),
      );
  }
}

@Injectable()
class AddToken implements NestInterceptor {
  intercept(_c: unknown, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(map((data: unknown) => ({ data, meta: { token: 't' } })));
  }
}

@Controller('accounts')
class AccountsController {
  @Get(':id')
  @Cacheable({ key: 'account:{id}', scope: 'public' })
  findOne(@Param('id') id: string) {
    ran('findOne');
    return { id, name: 'Ada', passwordHash: 'h' };
  }

  @Get(':id/sessions')
  @Cacheable({ key: 'sessions:{id}', scope: 'public' })
  sessions(@Param('id') id: string) {
    ran('sessions');
    return { id, items: [{ id: 's1' }, { id: 's2', token: 't' }] };
  }

  @Get(':id/safe')
  @Cacheable({ key: 'safe:{id}', scope: 'public' })
  safe(@Param('id') id: string) {
    ran('safe');
    return { id, name: 'Ada' };
  }

  @Put(':id/safe')
  @CachePut({ key: 'safe:{id}', scope: 'public' })
  saveSafe(@Param('id') id: string) {
    return { id, name: 'Ada', secret: 's' };
  }

  @Get(':id/entity')
  @Cacheable({ key: 'entity:{id}', scope: 'public' })
  entity(@Param('id') id: string) {
    ran('entity');
    return new Account(id, 'Ada', 'h');
  }

  @Get(':id/dropped')
  @UseInterceptors(DropHash)
  @Cacheable({ key: 'dropped:{id}', scope: 'public' })
  dropped(@Param('id') id: string) {
    ran('dropped');
    return { id, passwordHash: 'h' };
  }

  @Get(':id/enveloped')
  @UseInterceptors(AddToken)
  @Cacheable({ key: 'enveloped:{id}', scope: 'public' })
  enveloped(@Param('id') id: string) {
    ran('enveloped');
    return { id };
  }

  @Get(':id/allowed')
  @Cacheable({ key: 'allowed:{id}', scope: 'public', allowSensitive: true })
  allowed(@Param('id') id: string) {
    ran('allowed');
    return { id, apiKey: 'k' };
  }

  @Get(':id/profile')
  @Cacheable({
    key: 'profile:{id}',
    scope: 'public',
    sensitive: true,
    ttl: '1h',
  })
  profile(@Param('id') id: string) {
    ran('profile');
    return { id, email: 'ada@example.com' };
  }
}

const adapters: AdapterKind[] = ['express', 'fastify'];

describe.each(adapters)('the sensitive-data guard on %s', (adapter) => {
  const warned: string[] = [];
  const debugged: string[] = [];
  const errors: string[] = [];
  const fixtures: HttpFixture[] = [];
  let warnSpy: ReturnType<typeof jest.spyOn>;
  let debugSpy: ReturnType<typeof jest.spyOn>;
  let errorSpy: ReturnType<typeof jest.spyOn>;

  async function app(options: LexikonCacheModuleOptions): Promise<HttpFixture> {
    const f = await createHttpFixture(
      adapter,
      `sensitive-${adapter}`,
      [AccountsController],
      [],
      options,
    );
    fixtures.push(f);
    return f;
  }
  /** GETs twice; the X-Cache of each. */
  async function twice(f: HttpFixture, path: string): Promise<string[]> {
    const states: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await request(f.app.getHttpServer()).get(path).expect(200);
      states.push(String(r.headers['x-cache']));
    }
    return states;
  }
  const warningsAbout = (text: string) =>
    warned.filter((m) => m.includes(text) && m.includes('looks secret'));

  beforeAll(() => {
    warnSpy = jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((m: unknown) => void warned.push(String(m)));
    debugSpy = jest
      .spyOn(Logger.prototype, 'debug')
      .mockImplementation((m: unknown) => void debugged.push(String(m)));
    errorSpy = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((m: unknown) => void errors.push(String(m)));
  });

  afterAll(async () => {
    for (const f of fixtures) await f.close();
    warnSpy.mockRestore();
    debugSpy.mockRestore();
    errorSpy.mockRestore();
  });

  beforeEach(() => {
    runs.clear();
    warned.length = 0;
    debugged.length = 0;
    errors.length = 0;
  });

  describe("in 'warn' mode (the default)", () => {
    let f: HttpFixture;
    beforeAll(async () => {
      f = await app({ sensitiveMaxTtl: '5s' });
    });

    it('does not store a value with a secret-looking field, and warns once per route and field', async () => {
      expect(await twice(f, '/accounts/1')).toEqual(['MISS', 'MISS']);
      expect(await twice(f, '/accounts/2')).toEqual(['MISS', 'MISS']);
      expect(runs.get('findOne')).toBe(4);
      const warnings = warningsAbout('AccountsController.findOne');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('"passwordHash"');
      expect(warnings[0]).not.toContain('"h"');
      expect(await entryKeys(f.raw, f.prefix, 'account:*')).toEqual([]);
    });

    it('names the path of a nested field', async () => {
      expect(await twice(f, '/accounts/1/sessions')).toEqual(['MISS', 'MISS']);
      expect(warningsAbout('AccountsController.sessions')).toEqual([
        expect.stringContaining('"items[].token"'),
      ]);
    });

    it('looks at the final body: what toJSON() and inner interceptors made of the result', async () => {
      expect(await twice(f, '/accounts/1/entity')).toEqual(['MISS', 'HIT']);
      expect(await twice(f, '/accounts/1/dropped')).toEqual(['MISS', 'HIT']);
      expect(await twice(f, '/accounts/1/enveloped')).toEqual(['MISS', 'MISS']);
      expect(warningsAbout('AccountsController.enveloped')).toEqual([
        expect.stringContaining('"meta.token"'),
      ]);
      expect(warned.filter((m) => m.includes('looks secret'))).toHaveLength(1);
    });

    it('stores it with allowSensitive: true, without a warning', async () => {
      expect(await twice(f, '/accounts/1/allowed')).toEqual(['MISS', 'HIT']);
      expect(runs.get('allowed')).toBe(1);
      expect(warned).toEqual([]);
    });

    it('checks @CachePut results too: not stored, and the older entry goes', async () => {
      expect(await twice(f, '/accounts/3/safe')).toEqual(['MISS', 'HIT']);
      await request(f.app.getHttpServer()).put('/accounts/3/safe').expect(200);
      expect(await twice(f, '/accounts/3/safe')).toEqual(['MISS', 'HIT']);
      expect(runs.get('safe')).toBe(2);
      expect(warningsAbout('AccountsController.saveSafe')).toEqual([
        expect.stringContaining('"secret"'),
      ]);
    });

    it('checks a value only when it is about to be stored, never on a hit', async () => {
      const find = jest.spyOn(SensitiveFieldMatcher.prototype, 'find');
      try {
        await twice(f, '/accounts/4/safe');
        await twice(f, '/accounts/4/safe');
        expect(runs.get('safe')).toBe(1);
        expect(find).toHaveBeenCalledTimes(1);
      } finally {
        find.mockRestore();
      }
    });

    it('caps the TTL of a sensitive entry and logs its hits and fills by namespace only', async () => {
      expect(await twice(f, '/accounts/5/profile')).toEqual(['MISS', 'HIT']);
      await twice(f, '/accounts/5/safe');
      const ttl = await f.raw.pttl(`${f.prefix}profile:5`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5_000);
      const sensitive = debugged.filter((m) => m.includes('sensitive'));
      expect(sensitive).toEqual([
        'AccountsController.profile: sensitive cache fill in "profile"',
        'AccountsController.profile: sensitive cache hit in "profile"',
      ]);
      expect(debugged.join('\n')).not.toContain('ada@example.com');
    });
  });

  describe("in 'strict' mode", () => {
    let f: HttpFixture;
    beforeAll(async () => {
      f = await app({ sensitiveGuard: 'strict' });
    });

    it('fails the request instead of caching, and stores nothing', async () => {
      await request(f.app.getHttpServer()).get('/accounts/1').expect(500);
      expect(runs.get('findOne')).toBe(1);
      expect(errors).toEqual([
        expect.stringMatching(
          /^SensitiveValueError: AccountsController\.findOne: .*looks secret at "passwordHash"/,
        ),
      ]);
      expect(await entryKeys(f.raw, f.prefix, 'account:*')).toEqual([]);
      expect(await twice(f, '/accounts/1/safe')).toEqual(['MISS', 'HIT']);
    });

    it('fails a @CachePut after invalidating the key', async () => {
      expect(await twice(f, '/accounts/2/safe')).toEqual(['MISS', 'HIT']);
      await request(f.app.getHttpServer()).put('/accounts/2/safe').expect(500);
      expect(await twice(f, '/accounts/2/safe')).toEqual(['MISS', 'HIT']);
    });
  });

  describe("in 'off' mode", () => {
    it('stores what it is given', async () => {
      const f = await app({ sensitiveGuard: 'off' });
      expect(await twice(f, '/accounts/1')).toEqual(['MISS', 'HIT']);
      expect(warned).toEqual([]);
    });
  });
});
