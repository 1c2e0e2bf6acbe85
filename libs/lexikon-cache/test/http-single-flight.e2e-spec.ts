import { randomUUID } from 'node:crypto';
import {
  type CallHandler,
  Controller,
  type ExecutionContext,
  Get,
  Injectable,
  type NestInterceptor,
  UseInterceptors,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type Observable, tap } from 'rxjs';
import request from 'supertest';
import { Cacheable } from '@lexikon/cache';
import type { CacheStore } from '../src/core/store/cache-store.js';
import { CACHE_STORE } from '../src/core/store/store-token.js';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';
import { ReadLatch } from './support/read-latch.js';

const runs = new Map<string, number>();
let latch: ReadLatch;

/** Counts a run; the first run of a route waits until the second request has read the store. */
async function run(route: string): Promise<number> {
  const n = (runs.get(route) ?? 0) + 1;
  runs.set(route, n);
  if (n === 1) await latch.reads(2);
  return n;
}

/** Sets the session's CSRF cookie from the token the handler made, as a session layer would. */
@Injectable()
class CsrfCookieInterceptor implements NestInterceptor {
  constructor(private readonly host: HttpAdapterHost) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<object>();
    return next.handle().pipe(
      tap((body) => {
        const { csrf } = body as { csrf: string };
        this.host.httpAdapter.setHeader(
          res,
          'Set-Cookie',
          `csrf=${csrf}; HttpOnly`,
        );
      }),
    );
  }
}

@Controller('flight')
class FlightController {
  @Get('csrf')
  @Cacheable()
  @UseInterceptors(CsrfCookieInterceptor)
  async csrf() {
    const n = await run('csrf');
    return { csrf: randomUUID(), n };
  }

  @Get('partial')
  @Cacheable<{ partial: boolean }>({
    scope: 'public',
    unless: (r) => r.partial,
  })
  async partial() {
    const n = await run('partial');
    return { partial: true, n };
  }

  @Get('nothing')
  @Cacheable({ scope: 'public', cacheNullish: false })
  async nothing() {
    await run('nothing');
    return null;
  }

  @Get('shared')
  @Cacheable({ scope: 'public' })
  async shared() {
    const n = await run('shared');
    return { n };
  }
}

const setups: [AdapterKind, 'redis' | 'memory'][] = [
  ['express', 'redis'],
  ['fastify', 'redis'],
  ['express', 'memory'],
  ['fastify', 'memory'],
];

describe.each(setups)(
  'concurrent requests to a cold route on %s with the %s store',
  (adapter, store) => {
    let f: HttpFixture;
    const twice = (path: string) =>
      Promise.all([
        request(f.app.getHttpServer()).get(path).expect(200),
        request(f.app.getHttpServer()).get(path).expect(200),
      ]);

    beforeAll(async () => {
      f = await createHttpFixture(
        adapter,
        `flight-${adapter}-${store}`,
        [FlightController],
        [],
        store === 'memory' ? { store: 'memory' } : {},
      );
      latch = new ReadLatch(f.app.get<CacheStore>(CACHE_STORE));
    });

    afterAll(async () => {
      latch.restore();
      await f.close();
    });

    beforeEach(() => {
      runs.clear();
      latch.reset();
    });

    it('share one handler call when its response is stored', async () => {
      const [a, b] = await twice('/flight/shared');
      expect(runs.get('shared')).toBe(1);
      expect(a.body).toEqual({ n: 1 });
      expect(b.body).toEqual({ n: 1 });
      expect([a.headers['x-cache'], b.headers['x-cache']].sort()).toEqual([
        'HIT',
        'MISS',
      ]);
    });

    it('each get their own response when the handler sets a cookie', async () => {
      const responses = await twice('/flight/csrf');
      expect(runs.get('csrf')).toBe(2);
      const tokens = responses.map((r) => (r.body as { csrf: string }).csrf);
      expect(new Set(tokens).size).toBe(2);
      for (const r of responses) {
        expect(r.headers['x-cache']).not.toBe('HIT');
        expect(String(r.headers['set-cookie'])).toContain(
          `csrf=${(r.body as { csrf: string }).csrf}`,
        );
      }
    });

    it('each get their own response when unless rejects the result', async () => {
      const responses = await twice('/flight/partial');
      expect(runs.get('partial')).toBe(2);
      expect(
        responses.map((r) => (r.body as { n: number }).n).sort((x, y) => x - y),
      ).toEqual([1, 2]);
      for (const r of responses) expect(r.headers['x-cache']).not.toBe('HIT');
    });

    it('each run the handler when cacheNullish: false meets a null result', async () => {
      const responses = await twice('/flight/nothing');
      expect(runs.get('nothing')).toBe(2);
      for (const r of responses) expect(r.headers['x-cache']).not.toBe('HIT');
    });
  },
);
