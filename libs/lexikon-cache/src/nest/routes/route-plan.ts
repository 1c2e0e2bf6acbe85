import {
  HTTP_CODE_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import type { CacheMetadata } from '../../declarative/cache-options.types.js';
import {
  compileCachePlan,
  type CachePlan,
} from '../../declarative/cache-plan.js';
import type { KeyTemplate, RootCheck } from '../../core/keys/key-template.js';
import type { ResolvedCacheOptions } from '../../core/options/resolve-options.js';

/** A handler's plan plus what the interceptor must know of the route. */
export interface RoutePlan {
  readonly plan: CachePlan;
  /** The handler writes the response itself (`@Res()`): never cached. */
  readonly handlesResponse: boolean;
  /** `@HttpCode()` other than 200: never cached. */
  readonly non200: boolean;
  /**
   * Query parameters a key template accounts for. A request with any other
   * is not served from the cache: its answer may differ (or be an error).
   * Undefined when the key covers the whole query (or is a function).
   */
  readonly keyQuery: ReadonlySet<string> | undefined;
}

interface RouteArg {
  readonly index: number;
  readonly data?: unknown;
}

const HTTP_ROOTS = new Set(['params', 'query', 'body', 'user', 'result']);

function pathParams(paths: unknown): string[] {
  const list = Array.isArray(paths) ? paths : [paths];
  const out: string[] = [];
  for (const p of list) {
    if (typeof p !== 'string') continue;
    for (const m of p.matchAll(/:([A-Za-z_$][\w$]*)/g)) out.push(m[1]);
  }
  return out;
}

function routeArgs(
  controller: object,
  method: string,
): [RouteParamtypes, RouteArg][] {
  const meta = (Reflect.getMetadata(
    ROUTE_ARGS_METADATA,
    controller.constructor,
    method,
  ) ?? {}) as Record<string, RouteArg>;
  return Object.entries(meta).map(([k, v]) => [
    Number(k.split(':')[0]) as RouteParamtypes,
    v,
  ]);
}

/**
 * `{id}` in a handler's template must name a route parameter or a named
 * `@Param`/`@Query`/`@Body` argument, unless the handler takes the whole
 * query or body; `{params.x}`, `{query.x}`, `{body.x}`, `{user.x}` and
 * `{result.x}` are always accepted.
 */
function routeRootCheck(
  controller: object,
  method: string,
  handler: object,
): RootCheck {
  const known = new Set([
    ...pathParams(Reflect.getMetadata(PATH_METADATA, controller.constructor)),
    ...pathParams(Reflect.getMetadata(PATH_METADATA, handler)),
  ]);
  let open = false;
  for (const [type, arg] of routeArgs(controller, method)) {
    if (
      type !== RouteParamtypes.PARAM &&
      type !== RouteParamtypes.QUERY &&
      type !== RouteParamtypes.BODY
    ) {
      continue;
    }
    if (typeof arg.data === 'string') known.add(arg.data);
    else if (type !== RouteParamtypes.PARAM) open = true;
  }
  return (root) => {
    if (HTTP_ROOTS.has(root) || known.has(root) || open) return undefined;
    return `but the route has no parameter, @Query() or @Body() field named "${root}"`;
  };
}

function handlesResponse(controller: object, method: string): boolean {
  return routeArgs(controller, method).some(
    ([type]) =>
      type === RouteParamtypes.RESPONSE || type === RouteParamtypes.NEXT,
  );
}

function queryNamesOf(
  key: KeyTemplate | undefined,
): ReadonlySet<string> | undefined {
  if (!key) return undefined;
  const names = new Set<string>();
  for (const { root, path } of key.references) {
    if (root === 'query' && path.length) names.add(path[0]);
    else if (!HTTP_ROOTS.has(root)) names.add(root);
  }
  return names;
}

export function compileRoutePlan(
  controller: object,
  method: string,
  handler: object,
  meta: CacheMetadata,
  options: ResolvedCacheOptions,
): RoutePlan {
  const where = `${controller.constructor.name}.${method}`;
  const code = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as
    number | undefined;
  const plan = compileCachePlan(
    where,
    meta,
    routeRootCheck(controller, method, handler),
    options,
  );
  return {
    plan,
    handlesResponse: handlesResponse(controller, method),
    non200: code !== undefined && code !== 200,
    keyQuery: queryNamesOf(plan.cacheable?.keyTemplate),
  };
}
