import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import request from 'supertest';
import {
  Cacheable,
  CachePut,
  CacheService,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { unpackBytes } from '../src/core/codec/seven-bit.js';
import { parseEntry } from '../src/core/store/redis/entry-header.js';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';

const runs = new Map<string, number>();
const pages = new Map<string, string>();

function count(route: string): void {
  runs.set(route, (runs.get(route) ?? 0) + 1);
}

/** A JSON body that gzip shrinks well, as a list of terms does. */
function bigPage(id: string): { id: string; items: object[] } {
  const label = pages.get(id) ?? 'first';
  return {
    id,
    items: Array.from({ length: 200 }, (_, i) => ({
      n: i,
      term: `term-${i}`,
      label,
      definition: 'a definition that repeats across the items of the page',
    })),
  };
}

@Controller('docs')
class DocsController {
  @Get('small')
  @Cacheable({ scope: 'public' })
  small() {
    count('small');
    return { ok: true };
  }

  @Get('text')
  @Cacheable({ scope: 'public' })
  text() {
    count('text');
    return 'plain text '.repeat(300);
  }

  @Get('mine')
  @Cacheable({ key: 'mine' })
  mine() {
    count('mine');
    return bigPage('mine');
  }

  @Get(':id')
  @Cacheable({ key: 'page:{id}', scope: 'public' })
  page(@Param('id') id: string) {
    count(`page:${id}`);
    return bigPage(id);
  }

  @Put(':id')
  @CachePut({ key: 'page:{id}', scope: 'public' })
  put(@Param('id') id: string, @Body() body: { label: string }) {
    pages.set(id, body.label);
    return bigPage(id);
  }
}

interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  /** The bytes on the wire, as sent (not decoded). */
  bytes: Buffer;
}

type Store = 'redis' | 'memory' | 'l1' | 'compressed';

const STORE_OPTIONS: Record<Store, LexikonCacheModuleOptions> = {
  redis: {},
  memory: { store: 'memory' },
  l1: { l1: true },
  // payload compression leaves a gzipped body as it is
  compressed: { compression: { threshold: 0 } },
};

const setups: [AdapterKind, Store][] = [
  ['fastify', 'redis'],
  ['express', 'redis'],
  ['fastify', 'memory'],
  ['express', 'memory'],
  ['fastify', 'l1'],
  ['express', 'compressed'],
];

describe.each(setups)(
  'gzip-encoded HTTP bodies on %s with the %s store',
  (adapter, store) => {
    let f: HttpFixture;
    let port: number;

    /** A request on loopback; the reply's bytes as sent (not decoded). */
    function get(
      path: string,
      headers: Record<string, string> = { 'accept-encoding': 'gzip' },
      method = 'GET',
      body?: string,
    ): Promise<RawReply> {
      return new Promise((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, path, method, headers },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                bytes: Buffer.concat(chunks),
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    }

    function json(reply: RawReply): unknown {
      const text =
        reply.headers['content-encoding'] === 'gzip'
          ? gunzipSync(reply.bytes).toString('utf8')
          : reply.bytes.toString('utf8');
      return JSON.parse(text);
    }

    beforeAll(async () => {
      f = await createHttpFixture(
        adapter,
        `gzip-${adapter}-${store}`,
        [DocsController],
        [],
        { httpCompression: true, ...STORE_OPTIONS[store] },
      );
      await f.app.listen(0, '127.0.0.1');
      port = (f.app.getHttpServer().address() as AddressInfo).port;
    });

    afterAll(async () => {
      await f.close();
    });

    beforeEach(() => {
      runs.clear();
      pages.clear();
    });

    it('sends the body gzipped on a miss and the same bytes on every hit', async () => {
      const miss = await get('/docs/a');
      expect(miss.status).toBe(200);
      expect(miss.headers['x-cache']).toBe('MISS');
      expect(miss.headers['content-encoding']).toBe('gzip');
      expect(miss.headers.vary).toBe('Accept-Encoding');
      expect(miss.headers['content-type']).toMatch(/^application\/json/);
      expect(json(miss)).toEqual(bigPage('a'));
      const hit = await get('/docs/a');
      const again = await get('/docs/a');
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers['content-encoding']).toBe('gzip');
      expect(hit.bytes.equals(miss.bytes)).toBe(true);
      expect(again.bytes.equals(miss.bytes)).toBe(true);
      expect(hit.headers.etag).toBe(miss.headers.etag);
      expect(runs.get('page:a')).toBe(1);
      // bytes on the wire per hit, against the JSON body
      const plain = JSON.stringify(bigPage('a'));
      expect(Number(hit.headers['content-length'])).toBe(hit.bytes.length);
      expect(hit.bytes.length * 10).toBeLessThan(Buffer.byteLength(plain));
    });

    if (store !== 'memory') {
      it('stores the gzip bytes once and sends them as stored', async () => {
        const miss = await get('/docs/stored');
        const raw = await f.raw.get(`${f.prefix}page:stored`);
        const payload = parseEntry(raw ?? '')?.payload ?? '';
        expect(payload.startsWith('HJ')).toBe(true);
        const stored = unpackBytes(payload, payload.indexOf('\n') + 1);
        expect(stored.equals(miss.bytes)).toBe(true);
        // the entry is a third of the JSON body or less
        expect(payload.length * 3).toBeLessThan(
          JSON.stringify(bigPage('stored')).length,
        );
      });
    }

    it('inflates the body for a client that does not accept gzip', async () => {
      const zipped = await get('/docs/b');
      for (const headers of [
        {} as Record<string, string>,
        { 'accept-encoding': 'identity' },
        { 'accept-encoding': 'gzip;q=0, deflate' },
        { 'accept-encoding': 'br, *;q=0' },
      ]) {
        const plain = await get('/docs/b', headers);
        expect(plain.status).toBe(200);
        expect(plain.headers['x-cache']).toBe('HIT');
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(plain.headers.vary).toBe('Accept-Encoding');
        expect(plain.headers['content-type']).toMatch(/^application\/json/);
        expect(plain.bytes.toString('utf8')).toBe(JSON.stringify(bigPage('b')));
        // one validator per representation
        expect(plain.headers.etag).not.toBe(zipped.headers.etag);
      }
      for (const accept of ['gzip, deflate, br', '*', 'br;q=1, GZIP;q=0.5']) {
        const hit = await get('/docs/b', { 'accept-encoding': accept });
        expect(hit.headers['content-encoding']).toBe('gzip');
        expect(hit.bytes.equals(zipped.bytes)).toBe(true);
      }
      expect(runs.get('page:b')).toBe(1);
    });

    it('answers 304 to the validator of the representation asked for', async () => {
      const zipped = await get('/docs/c');
      const plain = await get('/docs/c', {});
      const gzipEtag = zipped.headers.etag as string;
      const plainEtag = plain.headers.etag as string;
      expect(gzipEtag).toMatch(/^"[\w-]+"$/);
      const notModified = await get('/docs/c', {
        'accept-encoding': 'gzip',
        'if-none-match': gzipEtag,
      });
      expect(notModified.status).toBe(304);
      expect(notModified.bytes.length).toBe(0);
      expect(
        (await get('/docs/c', { 'if-none-match': plainEtag })).status,
      ).toBe(304);
      // the plain validator does not match the gzip representation
      const other = await get('/docs/c', {
        'accept-encoding': 'gzip',
        'if-none-match': plainEtag,
      });
      expect(other.status).toBe(200);
      expect(other.bytes.equals(zipped.bytes)).toBe(true);
    });

    it('answers HEAD with the headers of the gzip representation', async () => {
      const zipped = await get('/docs/d');
      const head = await get('/docs/d', { 'accept-encoding': 'gzip' }, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers['content-encoding']).toBe('gzip');
      expect(head.headers.etag).toBe(zipped.headers.etag);
      expect(head.bytes.length).toBe(0);
    });

    it('keeps small JSON and text bodies plain, without a Vary on the encoding', async () => {
      for (const path of ['/docs/small', '/docs/text']) {
        await get(path);
        const hit = await get(path);
        expect(hit.headers['x-cache']).toBe('HIT');
        expect(hit.headers['content-encoding']).toBeUndefined();
        expect(hit.headers.vary).toBeUndefined();
      }
      expect(
        (await get('/docs/text')).bytes.toString('utf8').startsWith('plain'),
      ).toBe(true);
    });

    it('varies a private body on the credentials and the encoding', async () => {
      const alice = await get('/docs/mine', {
        'accept-encoding': 'gzip',
        'x-user': 'alice',
      });
      expect(alice.headers['content-encoding']).toBe('gzip');
      const vary = String(alice.headers.vary).split(/\s*,\s*/);
      expect(vary).toContain('Accept-Encoding');
      expect(vary).toContain('Authorization');
      expect(alice.headers['cache-control']).toBe('private, no-cache');
    });

    it('stores a @CachePut body gzipped and reads it back as a value', async () => {
      await get('/docs/e');
      const put = await get(
        '/docs/e',
        { 'content-type': 'application/json' },
        'PUT',
        JSON.stringify({ label: 'second' }),
      );
      expect(put.status).toBe(200);
      const hit = await get('/docs/e');
      expect(hit.headers['x-cache']).toBe('HIT');
      expect(hit.headers['content-encoding']).toBe('gzip');
      expect(json(hit)).toEqual(bigPage('e'));
      expect(runs.get('page:e')).toBe(1);
      const cache = f.app.get(CacheService);
      expect(await cache.get('page:e')).toEqual(bigPage('e'));
    });
  },
);

describe.each(['fastify', 'express'] as const)(
  'Vary of cached answers behind CORS on %s',
  (adapter) => {
    let f: HttpFixture;

    beforeAll(async () => {
      f = await createHttpFixture(
        adapter,
        `gzip-cors-${adapter}`,
        [DocsController],
        [],
        { httpCompression: true },
        (app) => app.enableCors({ origin: true }),
      );
    });

    afterAll(async () => {
      await f.close();
    });

    it('keeps the Vary the CORS middleware set, and adds its own', async () => {
      const http = () => request(f.app.getHttpServer());
      for (const path of ['/docs/cors', '/docs/mine']) {
        for (const state of ['MISS', 'HIT']) {
          const res = await http()
            .get(path)
            .set('Origin', 'https://app.example')
            .set('Accept-Encoding', 'gzip')
            .set('x-user', 'alice')
            .expect(200);
          expect(res.headers['x-cache']).toBe(state);
          const vary = String(res.headers.vary)
            .split(/\s*,\s*/)
            .map((v) => v.toLowerCase());
          expect(vary).toContain('origin');
          expect(vary).toContain('accept-encoding');
          if (path === '/docs/mine') expect(vary).toContain('authorization');
          expect(new Set(vary).size).toBe(vary.length);
        }
      }
    });
  },
);
