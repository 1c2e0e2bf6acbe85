import type { HttpAdapterHost } from '@nestjs/core';
import type { HttpEntry } from '../../core/codec/http-entry.js';
import { gzipEtag } from '../../core/codec/http-gzip.js';
import { acceptsGzip } from './accept-encoding.js';
import type { HttpRequest } from './http-request.js';

/** What a response says of the cache: `X-Cache` and `Cache-Status` (RFC 9211). */
export type CacheState = 'HIT' | 'MISS' | 'BYPASS' | 'STALE';

const CACHE_STATUS: Record<CacheState, string> = {
  HIT: 'lexikon; hit',
  MISS: 'lexikon; fwd=miss',
  BYPASS: 'lexikon; fwd=bypass',
  // served past its TTL (within its grace) because the handler failed or was slow
  STALE: 'lexikon; fwd=stale',
};

const JSON_TYPE = 'application/json; charset=utf-8';

/** How a cached response may be kept by browsers and shared caches. */
export interface CachePolicyHeaders {
  /** `Cache-Control` of this response. */
  readonly cacheControl: string;
  /** `Vary`, for private responses. */
  readonly vary: string | undefined;
  /** `Vary` of a body stored gzipped: `vary` and `Accept-Encoding`. */
  readonly varyGzip: string;
}

interface Headers {
  set(res: object, name: string, value: string): void;
  has(res: object, name: string): boolean;
  get(res: object, name: string): unknown;
  /** What the handler returns for Nest to send `bytes` as they are; undefined when the platform cannot. */
  bytes?(res: object, bytes: Buffer): unknown;
}

/** Fastify's reply and Node's response set headers directly; other adapters through Nest. */
function headersFor(adapterHost: HttpAdapterHost): Headers {
  const adapter = adapterHost.httpAdapter;
  const type = adapter?.getType();
  if (type === 'fastify') {
    return {
      set: (res, name, value) =>
        void (res as FastifyReplyLike).header(name, value),
      has: (res, name) => (res as FastifyReplyLike).hasHeader(name),
      get: (res, name) => (res as FastifyReplyLike).getHeader(name),
      bytes: (_res, bytes) => bytes,
    };
  }
  if (type === 'express') {
    return {
      set: (res, name, value) =>
        (res as NodeResponseLike).setHeader(name, value),
      has: (res, name) => (res as NodeResponseLike).hasHeader(name),
      get: (res, name) => (res as NodeResponseLike).getHeader(name),
      bytes: (res, bytes) => {
        // Nest answers an object with res.json(); res.send() sends a Buffer
        // as it is, with Express's own 304 and HEAD handling
        (res as ExpressResponseLike).json = sendAsIs;
        return bytes;
      },
    };
  }
  return {
    set: (res, name, value) => adapter.setHeader(res, name, value),
    has: (res, name) => adapter.getHeader(res, name) !== undefined,
    get: (res, name): unknown => adapter.getHeader(res, name),
  };
}

interface FastifyReplyLike {
  header(name: string, value: string): unknown;
  hasHeader(name: string): boolean;
  getHeader(name: string): unknown;
}

interface NodeResponseLike {
  setHeader(name: string, value: string): unknown;
  hasHeader(name: string): boolean;
  getHeader(name: string): unknown;
}

interface ExpressResponseLike {
  json: (body: unknown) => unknown;
  send(body: unknown): unknown;
}

function sendAsIs(this: ExpressResponseLike, body: unknown): unknown {
  return this.send(body);
}

/**
 * Writes cached responses: the body as stored, its validator and what it
 * says of caching. A `304` for a matching `If-None-Match` comes from the
 * platform (Express's own freshness check; a Fastify hook the module adds).
 */
export class HttpReply {
  private headers: Headers | undefined;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  private get h(): Headers {
    return (this.headers ??= headersFor(this.adapterHost));
  }

  /** Adds to a `Vary` something else (a CORS middleware) may have set already. */
  private vary(res: object, value: string): void {
    const current = this.h.get(res, 'vary');
    this.h.set(
      res,
      'Vary',
      current === undefined || current === ''
        ? value
        : mergeVary(String(current), value),
    );
  }

  state(res: object, state: CacheState): void {
    const h = this.h;
    h.set(res, 'X-Cache', state);
    h.set(res, 'Cache-Status', CACHE_STATUS[state]);
  }

  /**
   * Sets the headers of a cached body and returns what Nest should send: a
   * body stored gzipped goes out as stored to a client that accepts gzip.
   */
  send(
    req: HttpRequest,
    res: object,
    entry: HttpEntry,
    state: CacheState,
    policy: CachePolicyHeaders,
  ): unknown {
    const h = this.h;
    h.set(res, 'X-Cache', state);
    h.set(res, 'Cache-Status', CACHE_STATUS[state]);
    if (!h.has(res, 'cache-control')) {
      h.set(res, 'Cache-Control', policy.cacheControl);
    }
    const gzip = entry.gzip;
    if (gzip !== undefined && h.bytes) {
      // both representations vary, so that shared caches keep them apart
      this.vary(res, policy.varyGzip);
      h.set(res, 'Content-Type', JSON_TYPE);
      if (acceptsGzip(req.headers['accept-encoding'])) {
        h.set(res, 'ETag', gzipEtag(entry.etag));
        h.set(res, 'Content-Encoding', 'gzip');
        return h.bytes(res, gzip);
      }
      h.set(res, 'ETag', entry.etag);
      return entry.body;
    }
    h.set(res, 'ETag', entry.etag);
    if (policy.vary) this.vary(res, policy.vary);
    if (entry.kind === 'json') {
      h.set(res, 'Content-Type', JSON_TYPE);
      return entry.body;
    }
    return entry.kind === 'null' ? null : entry.body;
  }
}

/** `current` with the names of `more` it lacks (case-insensitive); `*` stays `*`. */
export function mergeVary(current: string, more: string): string {
  if (current.trim() === '*') return '*';
  const have = new Set(current.split(',').map((v) => v.trim().toLowerCase()));
  const added = more
    .split(',')
    .map((v) => v.trim())
    .filter((v) => !have.has(v.toLowerCase()));
  return added.length ? `${current}, ${added.join(', ')}` : current;
}

/** Whether an `If-None-Match` header names `etag` (or `*`). */
export function matchesEtag(
  header: string | string[] | undefined,
  etag: string,
): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  return value.split(',').some((t) => {
    const tag = t.trim();
    return tag === etag || tag === `W/${etag}`;
  });
}
