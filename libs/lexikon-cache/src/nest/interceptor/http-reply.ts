import type { HttpAdapterHost } from '@nestjs/core';
import type { HttpEntry } from '../../core/codec/http-entry.js';

/** What a response says of the cache: `X-Cache` and `Cache-Status` (RFC 9211). */
export type CacheState = 'HIT' | 'MISS' | 'BYPASS' | 'STALE';

const CACHE_STATUS: Record<CacheState, string> = {
  HIT: 'lexikon; hit',
  MISS: 'lexikon; fwd=miss',
  BYPASS: 'lexikon; fwd=bypass',
  STALE: 'lexikon; hit; fwd=stale',
};

const JSON_TYPE = 'application/json; charset=utf-8';

/** How a cached response may be kept by browsers and shared caches. */
export interface CachePolicyHeaders {
  /** `Cache-Control` of this response. */
  readonly cacheControl: string;
  /** `Vary`, for private responses. */
  readonly vary: string | undefined;
}

/**
 * Writes cached responses: the body as stored, its validator and what it
 * says of caching. A `304` for a matching `If-None-Match` comes from the
 * platform (Express's own freshness check; a Fastify hook the module adds).
 */
export class HttpReply {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  state(res: object, state: CacheState): void {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(res, 'X-Cache', state);
    adapter.setHeader(res, 'Cache-Status', CACHE_STATUS[state]);
  }

  /** Sets the headers of a cached body and returns what Nest should send. */
  send(
    res: object,
    entry: HttpEntry,
    state: CacheState,
    policy: CachePolicyHeaders,
  ): unknown {
    const adapter = this.adapterHost.httpAdapter;
    this.state(res, state);
    adapter.setHeader(res, 'ETag', entry.etag);
    if (adapter.getHeader(res, 'cache-control') === undefined) {
      adapter.setHeader(res, 'Cache-Control', policy.cacheControl);
    }
    if (policy.vary) adapter.setHeader(res, 'Vary', policy.vary);
    if (entry.kind === 'json') {
      adapter.setHeader(res, 'Content-Type', JSON_TYPE);
      return entry.body;
    }
    return entry.kind === 'null' ? null : entry.body;
  }
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
