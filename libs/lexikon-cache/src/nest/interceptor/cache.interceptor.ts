import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { from, lastValueFrom, type Observable, of } from 'rxjs';
import type { CacheCallContext } from '../../declarative/cache-options.types.js';
import { CacheMetadataAccessor } from '../decorators/cache-metadata.accessor.js';
import {
  CacheEngine,
  type EntryPolicy,
} from '../../core/engine/cache-engine.js';
import { CacheExecutor, keyTag } from '../../declarative/plan-executor.js';
import type { CacheablePlan } from '../../declarative/cache-plan.js';
import { canonicalize } from '../../core/keys/canonical-json.js';
import { escapeKeyPart } from '../../core/keys/cache-keys.js';
import type { RootResolver } from '../../core/keys/key-template.js';
import { RESOLVED_CACHE_OPTIONS } from '../lexikon-cache.constants.js';
import type { ResolvedCacheOptions } from '../../core/options/resolve-options.js';
import {
  decodeHttpEntry,
  encodeHttpEntry,
  type HttpEntry,
  toHttpEntry,
} from '../../core/codec/http-entry.js';
import { compileRoutePlan, type RoutePlan } from '../routes/route-plan.js';
import { RoutePlanRegistry } from '../routes/route-plan.registry.js';

interface HttpRequest {
  method: string;
  url: string;
  originalUrl?: string;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  user?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** What a handler call yields: a storable body (with the raw result), or a result to pass through. */
type HttpValue =
  | (HttpEntry & { readonly raw?: unknown })
  | { readonly kind: 'x'; readonly raw: unknown };

const JSON_TYPE = 'application/json; charset=utf-8';

function defaultPrincipal(request: unknown): string | number | undefined {
  const user = (request as HttpRequest).user;
  if (typeof user === 'string' || typeof user === 'number') return user;
  if (!user || typeof user !== 'object') return undefined;
  const u = user as { id?: unknown; sub?: unknown; userId?: unknown };
  const id = u.id ?? u.sub ?? u.userId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

function requestPath(req: HttpRequest): string {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * The one global interceptor: runs `@Cacheable`, `@CacheInvalidate` and
 * `@CachePut` on controller handlers. Only 200 responses to GET/HEAD are
 * cached, never one that sets a cookie, streams or uses `@Res()`; entries
 * are private to the authenticated principal unless the route is public.
 * Responses carry `X-Cache: HIT | MISS | BYPASS` and an `ETag` (with `304`
 * for a matching `If-None-Match`).
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  private readonly executor: CacheExecutor;
  private readonly principal: (
    request: unknown,
  ) => string | number | undefined | null;
  private readonly policy: EntryPolicy<HttpValue>;

  constructor(
    private readonly engine: CacheEngine,
    private readonly plans: RoutePlanRegistry,
    private readonly accessor: CacheMetadataAccessor,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(RESOLVED_CACHE_OPTIONS)
    private readonly options: ResolvedCacheOptions,
  ) {
    this.executor = new CacheExecutor(engine);
    this.principal = options.principal ?? defaultPrincipal;
    this.policy = {
      ttlMs: options.defaultTtl * 1000,
      encode: (v) => (v.kind === 'x' ? undefined : encodeHttpEntry(v)),
      decode: decodeHttpEntry,
    };
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const handler = context.getHandler();
    let route = this.plans.get(handler);
    if (route === undefined) {
      const meta = this.accessor.read(handler);
      route = meta
        ? compileRoutePlan(
            context.getClass().prototype as object,
            handler.name,
            handler,
            meta,
            this.options,
          )
        : null;
      this.plans.set(handler, route);
    }
    if (route === null) return next.handle();
    const plan = route.plan;
    const c = plan.cacheable;
    if (!c || plan.before.length || plan.after.length) {
      return from(this.handle(route, context, next));
    }
    // the hot path: a plain @Cacheable route
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const res = http.getResponse<object>();
    const resolve = this.resolverFor(req);
    const lookup = this.lookup(route, c, req, resolve);
    if (lookup === undefined) {
      this.header(res, 'X-Cache', 'BYPASS');
      return next.handle();
    }
    const hit = this.engine.peekNow(
      lookup.key,
      lookup.tagKeys,
      decodeHttpEntry,
    );
    if (hit !== undefined) return of(this.send(req, res, hit, 'HIT'));
    const run = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    return from(this.load(route, c, req, res, resolve, lookup, run));
  }

  private resolverFor(req: HttpRequest): RootResolver {
    return (root) => {
      switch (root) {
        case 'params':
          return req.params;
        case 'query':
          return req.query;
        case 'body':
          return req.body;
        case 'user':
          return req.user;
      }
      const fromParams = req.params?.[root];
      if (fromParams !== undefined) return fromParams;
      const fromQuery = req.query?.[root];
      if (fromQuery !== undefined) return fromQuery;
      const body = req.body;
      return body && typeof body === 'object'
        ? (body as Record<string, unknown>)[root]
        : undefined;
    };
  }

  /** Routes with invalidations or `@CachePut` (plain `@Cacheable` ones take the hot path). */
  private async handle(
    route: RoutePlan,
    context: ExecutionContext,
    next: CallHandler,
  ): Promise<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const res = http.getResponse<object>();
    const plan = route.plan;
    const resolve = this.resolverFor(req);
    const run = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    const c = plan.cacheable;
    const ctx = this.ctx(req);
    if (c) {
      return this.executor.around(plan, resolve, ctx, () =>
        this.cacheable(route, c, req, res, resolve, run),
      );
    }
    const put = plan.put;
    if (!put) return this.executor.around(plan, resolve, ctx, run);
    return this.executor.around(plan, resolve, ctx, async () => {
      const result = await run();
      const entry = this.storable(route, res, result);
      const withResult: RootResolver = (root) =>
        root === 'result' ? result : resolve(root);
      const key = put.key
        ? put.key(withResult, ctx, result)
        : this.defaultKey(req);
      if (entry && key !== undefined && !put.unless?.(result, ctx)) {
        await this.engine.put(
          this.engine.key(key),
          encodeHttpEntry(entry),
          put.ttlMs,
          this.executor.lateTagKeys(
            plan,
            put.tags,
            put.tagsFn,
            ctx,
            resolve,
            result,
          ),
        );
      }
      return result;
    });
  }

  private ctx(req: HttpRequest): CacheCallContext {
    return {
      args: [],
      params: req.params,
      query: req.query,
      body: req.body,
      user: req.user,
    };
  }

  /**
   * The entry a GET/HEAD on a `@Cacheable` route reads, or undefined when
   * this request must not use the cache.
   */
  private lookup(
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
    let ctx: CacheCallContext | undefined;
    if (c.condition && !c.condition((ctx = this.ctx(req)))) return undefined;
    let scope = '';
    if (c.scope === 'principal') {
      const who = this.principal(req);
      if (who !== undefined && who !== null) {
        scope = `:~u:${escapeKeyPart(String(who))}`;
      } else if (
        req.user !== undefined ||
        req.headers.authorization ||
        req.headers.cookie
      ) {
        // credentials we cannot tie to a principal: never share this response
        return undefined;
      }
    }
    const base = c.key
      ? c.key(resolve, ctx ?? this.ctx(req))
      : this.defaultKey(req);
    if (base === undefined) return undefined;
    let tagKeys = c.tags.length
      ? this.executor.earlyTagKeys(route.plan, c, resolve)
      : NO_TAGS;
    if (scope) tagKeys = [...tagKeys, this.engine.tagKey(keyTag(base))];
    return { key: this.engine.key(base + scope), tagKeys };
  }

  private async cacheable(
    route: RoutePlan,
    c: CacheablePlan,
    req: HttpRequest,
    res: object,
    resolve: RootResolver,
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    const lookup = this.lookup(route, c, req, resolve);
    if (lookup === undefined) return this.bypass(res, run);
    return this.load(route, c, req, res, resolve, lookup, run);
  }

  private async load(
    route: RoutePlan,
    c: CacheablePlan,
    req: HttpRequest,
    res: object,
    resolve: RootResolver,
    lookup: Lookup,
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    let loaded = false;
    const value = await this.engine.getOrLoad<HttpValue>(
      lookup.key,
      lookup.tagKeys,
      async () => {
        loaded = true;
        const raw = await run();
        const entry = this.storable(route, res, raw);
        if (!entry || (c.unless && c.unless(raw, this.ctx(req)))) {
          return { kind: 'x', raw };
        }
        if (!c.cacheNullish && raw == null) return { kind: 'x', raw };
        return { ...entry, raw };
      },
      this.policyFor(route, c, req, resolve),
    );
    // the engine itself skips a store it cannot trust (and probes it back)
    const state = !loaded ? 'HIT' : this.engine.bypassing ? 'BYPASS' : 'MISS';
    if (value.kind === 'x') {
      this.header(res, 'X-Cache', state);
      return value.raw;
    }
    return this.send(req, res, value, state);
  }

  private policyFor(
    route: RoutePlan,
    c: CacheablePlan,
    req: HttpRequest,
    resolve: RootResolver,
  ): EntryPolicy<HttpValue> {
    const late = c.lateTags.length > 0 || c.tagsFn !== undefined;
    if (!late && c.ttlMs === this.policy.ttlMs) return this.policy;
    return {
      ttlMs: c.ttlMs,
      encode: this.policy.encode,
      decode: this.policy.decode,
      lateTags: late
        ? (v) =>
            this.executor.lateTagKeys(
              route.plan,
              c.lateTags,
              c.tagsFn,
              this.ctx(req),
              resolve,
              v.raw,
            )
        : undefined,
    };
  }

  private defaultKey(req: HttpRequest): string {
    const query = req.query && hasAny(req.query) ? canonicalize(req.query) : '';
    return `http:GET:${escapeKeyPart(requestPath(req))}:${escapeKeyPart(query)}`;
  }

  /** The body to store for a handler result, or undefined when this response must not be cached. */
  private storable(
    route: RoutePlan,
    res: object,
    raw: unknown,
  ): HttpEntry | undefined {
    if (route.handlesResponse || raw instanceof StreamableFile)
      return undefined;
    const status = (res as { statusCode?: number }).statusCode;
    if (status !== undefined && status !== 200) return undefined;
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.getHeader(res, 'set-cookie') !== undefined) return undefined;
    return toHttpEntry(raw);
  }

  private async bypass(
    res: object,
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    this.header(res, 'X-Cache', 'BYPASS');
    return run();
  }

  private header(res: object, name: string, value: string): void {
    this.adapterHost.httpAdapter.setHeader(res, name, value);
  }

  private send(
    req: HttpRequest,
    res: object,
    entry: HttpEntry,
    state: 'HIT' | 'MISS' | 'BYPASS',
  ): unknown {
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(res, 'X-Cache', state);
    adapter.setHeader(res, 'ETag', entry.etag);
    if (matchesEtag(req.headers['if-none-match'], entry.etag)) {
      notModified(adapter.getType(), res);
      return '';
    }
    if (entry.kind === 'j') {
      adapter.setHeader(res, 'Content-Type', JSON_TYPE);
      return entry.body;
    }
    return entry.kind === 'n' ? null : entry.body;
  }
}

const NO_TAGS: readonly string[] = [];

/** The entry a request reads: full key and full tag keys. */
interface Lookup {
  readonly key: string;
  readonly tagKeys: readonly string[];
}

function hasAny(query: Record<string, unknown>): boolean {
  for (const name in query) if (Object.hasOwn(query, name)) return true;
  return false;
}

function hasOtherQuery(
  query: Record<string, unknown>,
  known: ReadonlySet<string>,
): boolean {
  for (const name in query) if (!known.has(name)) return true;
  return false;
}

function matchesEtag(
  header: string | string[] | undefined,
  etag: string,
): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  return value === etag || value.trim() === '*' || value.includes(etag);
}

/**
 * Answers 304. Nest sets the route's status (200) when it sends the result,
 * so the response's own status setter is pinned for this one response.
 */
function notModified(adapterType: string, res: object): void {
  const r = res as {
    status?: (code: number) => unknown;
    code?: (code: number) => unknown;
  };
  if (adapterType === 'fastify' && typeof r.code === 'function') {
    r.code(304);
  } else {
    (res as { statusCode: number }).statusCode = 304;
  }
  Object.defineProperty(res, 'status', {
    value: () => res,
    configurable: true,
    writable: true,
  });
}
