import { StreamableFile } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import {
  encodeHttpEntry,
  toHttpEntry,
  type HttpEntry,
} from '../../core/codec/http-entry.js';
import type { HttpGzipSettings } from '../../core/codec/http-gzip.js';
import type { CacheEngine } from '../../core/engine/cache-engine.js';
import type { RootResolver } from '../../core/keys/key-template.js';
import type { CacheablePlan } from '../../declarative/cache-plan.js';
import { keyTag } from '../../declarative/entry-scope.js';
import type {
  PlanExecutor,
  PutTarget,
} from '../../declarative/plan-executor.js';
import type { RoutePlan } from '../routes/route-plan.js';
import {
  defaultHttpKey,
  hasOtherQuery,
  requestContext,
  type HttpRequest,
} from './http-request.js';
import type { CachePolicyHeaders } from './http-reply.js';
import type { PrincipalScope } from './principal-scope.js';

/** The entry a request reads: full key, full tag keys, and how its response may be kept. */
export interface Lookup {
  /** The key as rendered, before version and principal suffixes. */
  readonly base: string;
  readonly key: string;
  readonly tagKeys: readonly string[];
  readonly headers: CachePolicyHeaders;
}

const NO_TAGS: readonly string[] = [];

/**
 * What the cache makes of one route's requests and responses: which entry a
 * request reads (scoped to its principal unless the route is public), which
 * response may be stored, and where a `@CachePut` writes.
 */
export class RouteCache {
  private readonly privateHeaders: CachePolicyHeaders;
  private readonly publicHeaders = new Map<
    number | undefined,
    CachePolicyHeaders
  >();

  constructor(
    private readonly engine: CacheEngine,
    private readonly executor: PlanExecutor,
    private readonly scope: PrincipalScope,
    private readonly adapterHost: HttpAdapterHost,
    private readonly gzip: HttpGzipSettings | undefined,
  ) {
    this.privateHeaders = {
      cacheControl: 'private, no-cache',
      vary: scope.vary,
      varyGzip: varyGzip(scope.vary),
    };
  }

  private publicHeadersFor(maxAge: number | undefined): CachePolicyHeaders {
    let headers = this.publicHeaders.get(maxAge);
    if (!headers) {
      headers = {
        cacheControl:
          maxAge === undefined
            ? 'public, no-cache'
            : `public, max-age=${maxAge}`,
        vary: undefined,
        varyGzip: varyGzip(undefined),
      };
      this.publicHeaders.set(maxAge, headers);
    }
    return headers;
  }

  /** The entry a GET/HEAD on a `@Cacheable` route reads, or undefined when it must not use the cache. */
  lookup(
    route: RoutePlan,
    c: CacheablePlan,
    req: HttpRequest,
    resolve: RootResolver,
  ): Lookup | undefined {
    const method = req.method;
    if (
      (method !== 'GET' && method !== 'HEAD') ||
      route.handlesResponse ||
      route.non200
    ) {
      return undefined;
    }
    if (
      route.keyQuery &&
      req.query &&
      hasOtherQuery(req.query, route.keyQuery)
    ) {
      return undefined;
    }
    if (c.condition && !c.condition(requestContext(req))) return undefined;
    let suffix = '';
    let headers: CachePolicyHeaders;
    if (c.scope === 'principal') {
      const s = this.scope.suffix(req);
      if (s === undefined) return undefined;
      suffix = s;
      headers = this.privateHeaders;
    } else {
      // a response made for credentials is never offered to shared caches
      headers = this.scope.hasCredentials(req)
        ? this.privateHeaders
        : this.publicHeadersFor(c.maxAgeSeconds);
    }
    const base = c.key
      ? c.key(resolve, () => requestContext(req))
      : defaultHttpKey(req);
    if (base === undefined) return undefined;
    // a version's copy goes before a principal's: <key>:~v:<n>:~u:<who>
    suffix = c.versionOf(base) + suffix;
    let tagKeys = c.tags.length
      ? this.executor.earlyTagKeys(route.plan, c, resolve)
      : NO_TAGS;
    if (suffix) tagKeys = [...tagKeys, this.engine.tagKey(keyTag(base))];
    return { base, key: this.engine.key(base + suffix), tagKeys, headers };
  }

  /** The body to store for a handler result, or undefined when this response must not be cached. */
  storable(route: RoutePlan, res: object, raw: unknown): HttpEntry | undefined {
    if (route.handlesResponse || raw instanceof StreamableFile)
      return undefined;
    const status = (res as { statusCode?: number }).statusCode;
    if (status !== undefined && status !== 200) return undefined;
    if (
      this.adapterHost.httpAdapter.getHeader(res, 'set-cookie') !== undefined
    ) {
      return undefined;
    }
    return toHttpEntry(raw, this.gzip);
  }

  /**
   * Where a route's `@CachePut` writes: on a private route, the caller's own
   * copy (every other copy of the key is invalidated first); a caller with
   * credentials but no principal writes nothing (the copies are still
   * invalidated).
   */
  putTarget(route: RoutePlan, req: HttpRequest, res: object): PutTarget {
    const isPrivate = route.plan.put?.scope !== 'public';
    return {
      defaultKey: () => defaultHttpKey(req),
      scope: isPrivate ? this.scope.suffix(req) : '',
      encode: (result) => {
        const entry = this.storable(route, res, result);
        return entry ? encodeHttpEntry(entry) : undefined;
      },
    };
  }
}

function varyGzip(vary: string | undefined): string {
  return vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding';
}
