import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { from, lastValueFrom, Observable, of } from 'rxjs';
import {
  decodeHttpEntry,
  encodeHttpEntry,
  type HttpEntry,
} from '../../core/codec/http-entry.js';
import { CacheEngine } from '../../core/engine/cache-engine.js';
import type { EntryPolicy } from '../../core/engine/entry-policy.js';
import type { RootResolver } from '../../core/keys/key-template.js';
import type { ResolvedCacheOptions } from '../../core/options/resolve-options.js';
import type { CacheablePlan } from '../../declarative/cache-plan.js';
import {
  PlanExecutor,
  type PlanCall,
} from '../../declarative/plan-executor.js';
import { CacheMetadataAccessor } from '../decorators/cache-metadata.accessor.js';
import { RESOLVED_CACHE_OPTIONS } from '../lexikon-cache.constants.js';
import { compileRoutePlan, type RoutePlan } from '../routes/route-plan.js';
import { RoutePlanRegistry } from '../routes/route-plan.registry.js';
import {
  requestContext,
  requestResolver,
  type HttpRequest,
} from './http-request.js';
import { HttpReply } from './http-reply.js';
import { PrincipalScope } from './principal-scope.js';
import { RouteCache, type Lookup } from './route-cache.js';

/** What a handler call yields: a storable body (with the raw result), or a result passed through as is. */
type HttpValue =
  | (HttpEntry & { readonly raw?: unknown })
  | { readonly kind: 'passthrough'; readonly raw: unknown };

/**
 * The one global interceptor: runs `@Cacheable`, `@CacheInvalidate` and
 * `@CachePut` on controller handlers. The module makes it the outermost
 * interceptor, so that what it stores is what every other interceptor made
 * of the result (a serializer's output, not the raw entity), and a hit is
 * the same bytes a miss sends. Only 200 responses to GET/HEAD are cached,
 * never one that sets a cookie, streams or uses `@Res()`; entries are
 * private to the principal unless the route is public.
 */
@Injectable()
export class CacheInterceptor implements NestInterceptor {
  private readonly executor: PlanExecutor;
  private readonly routes: RouteCache;
  private readonly reply: HttpReply;
  private readonly policies = new WeakMap<
    CacheablePlan,
    EntryPolicy<HttpValue>
  >();

  constructor(
    private readonly engine: CacheEngine,
    private readonly plans: RoutePlanRegistry,
    private readonly accessor: CacheMetadataAccessor,
    adapterHost: HttpAdapterHost,
    @Inject(RESOLVED_CACHE_OPTIONS)
    private readonly options: ResolvedCacheOptions,
  ) {
    this.executor = new PlanExecutor(engine);
    const scope = new PrincipalScope(
      options.principal,
      options.credentialHeaders,
    );
    this.routes = new RouteCache(
      engine,
      this.executor,
      scope,
      adapterHost,
      options.httpCompression,
    );
    this.reply = new HttpReply(adapterHost);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const route = this.routeOf(context);
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
    const resolve = requestResolver(req);
    const lookup = this.routes.lookup(route, c, req, resolve);
    if (lookup === undefined) {
      this.reply.state(res, 'BYPASS');
      return next.handle();
    }
    // an entry with early refresh is read through, where its hits draw the refresh
    const hit =
      c.grace.earlyRefreshBeta === undefined
        ? this.engine.peekNow(
            lookup.key,
            lookup.tagKeys,
            decodeHttpEntry,
            c.l1,
            c.grace.graceMs,
          )
        : undefined;
    if (hit !== undefined) {
      if (c.sensitive) this.executor.logSensitive(plan, 'hit', lookup.base);
      return of(this.reply.send(req, res, hit, 'HIT', lookup.headers));
    }
    const run = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    return fromPromise(this.load(route, c, req, resolve, res, lookup, run));
  }

  private routeOf(context: ExecutionContext): RoutePlan | null {
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
    return route;
  }

  /** Routes with invalidations or `@CachePut` (plain `@Cacheable` ones take the hot path). */
  private handle(
    route: RoutePlan,
    context: ExecutionContext,
    next: CallHandler,
  ): Promise<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const res = http.getResponse<object>();
    const plan = route.plan;
    const call: PlanCall = {
      ctx: requestContext(req),
      resolve: requestResolver(req),
    };
    const run = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    const c = plan.cacheable;
    if (c) {
      return this.executor.around(plan, call, () => {
        const lookup = this.routes.lookup(route, c, req, call.resolve);
        if (lookup)
          return this.load(route, c, req, call.resolve, res, lookup, run);
        this.reply.state(res, 'BYPASS');
        return run();
      });
    }
    const put = plan.put;
    if (!put) return this.executor.around(plan, call, run);
    return this.executor.around(plan, call, async () => {
      const result = await run();
      await this.executor.put(
        plan,
        put,
        call,
        result,
        this.routes.putTarget(route, req, res),
      );
      return result;
    });
  }

  private async load(
    route: RoutePlan,
    c: CacheablePlan,
    req: HttpRequest,
    resolve: RootResolver,
    res: object,
    lookup: Lookup,
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    let loaded = false;
    let stale = false;
    const value = await this.engine.getOrLoad<HttpValue>(
      lookup.key,
      lookup.tagKeys,
      async () => {
        loaded = true;
        const raw = await run();
        const entry = this.routes.storable(route, res, raw);
        if (
          !entry ||
          !this.executor.storable(c, raw, requestContext(req)) ||
          // the body is the JSON of `raw`: what the guard walks, toJSON() included
          (entry.kind === 'json' && !this.executor.admits(route.plan, c, raw))
        ) {
          return { kind: 'passthrough', raw };
        }
        if (c.sensitive)
          this.executor.logSensitive(route.plan, 'fill', lookup.base);
        return { ...entry, raw };
      },
      this.policyFor(route, c, req, resolve),
      // only entries with a grace period can be served stale: no closure otherwise
      c.grace.graceMs
        ? () => {
            stale = true;
          }
        : undefined,
    );
    // the engine itself skips a store it cannot trust (and probes it back)
    const state = stale
      ? 'STALE'
      : !loaded
        ? 'HIT'
        : this.engine.bypassing
          ? 'BYPASS'
          : 'MISS';
    if (!loaded && c.sensitive) {
      this.executor.logSensitive(route.plan, 'hit', lookup.base);
    }
    if (value.kind === 'passthrough') {
      this.reply.state(res, state);
      return value.raw;
    }
    return this.reply.send(req, res, value, state, lookup.headers);
  }

  private policyFor(
    route: RoutePlan,
    c: CacheablePlan,
    req: HttpRequest,
    resolve: RootResolver,
  ): EntryPolicy<HttpValue> {
    const late = c.lateTags.length > 0 || c.tagsFn !== undefined;
    if (!late) {
      let policy = this.policies.get(c);
      if (!policy) {
        policy = {
          ...c.grace,
          ttlMs: c.ttlMs,
          encode: encodeStored,
          decode: decodeHttpEntry,
          l1: c.l1,
        };
        this.policies.set(c, policy);
      }
      return policy;
    }
    return {
      ...c.grace,
      ttlMs: c.ttlMs,
      encode: encodeStored,
      decode: decodeHttpEntry,
      l1: c.l1,
      lateTags: (v) =>
        this.executor.lateTagKeys(
          route.plan,
          c.lateTags,
          c.tagsFn,
          { ctx: requestContext(req), resolve },
          v.raw,
        ),
    };
  }
}

/** A promise as an Observable, without `from()`'s checks of what it was given. */
function fromPromise<T>(promise: Promise<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    promise.then(
      (value) => {
        subscriber.next(value);
        subscriber.complete();
      },
      (err: unknown) => subscriber.error(err),
    );
  });
}

function encodeStored(v: HttpValue): string | undefined {
  return v.kind === 'passthrough' ? undefined : encodeHttpEntry(v);
}
