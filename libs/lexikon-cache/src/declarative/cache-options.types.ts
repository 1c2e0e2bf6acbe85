import type {
  EarlyRefresh,
  LoaderTimeouts,
} from '../core/options/grace-options.js';
import type { Duration } from '../core/time/duration.js';

/**
 * What key, tag and condition functions see of a call. For a service method
 * `args` holds its arguments; for a controller handler the request parts are
 * given instead (and `args` is empty).
 *
 * @example
 * ```ts
 * @Cacheable({ condition: (ctx: CacheCallContext) => ctx.query?.fresh !== '1' })
 * ```
 */
export interface CacheCallContext {
  readonly args: readonly unknown[];
  readonly params?: Readonly<Record<string, unknown>>;
  readonly query?: Readonly<Record<string, unknown>>;
  readonly body?: unknown;
  /** The authenticated principal (`request.user`), when there is one. */
  readonly user?: unknown;
}

/**
 * A key or tag: a template such as `'user:{id}'` or `'term:{0.id}'`, whose
 * `{...}` parts are read from the call — route params, query and body
 * (`{params.id}`, `{query.q}`, `{body.email}`, or bare `{id}`), the
 * principal (`{user.id}`), a method's arguments by position or name (`{0}`,
 * `{0.id}`, `{id}`), or the result (`{result.id}`, after the call only).
 * Values are escaped, so that input can never reach another entry.
 *
 * @example
 * const key: CacheTemplate = 'terms:{projectId}:page:{page=1}';
 */
export type CacheTemplate = string;

/**
 * Options of `@Cacheable`. `TResult` types the result that `tags` and
 * `unless` functions receive.
 *
 * @example
 * ```ts
 * @Cacheable<Term>({ key: 'term:{id}', ttl: '5m', tags: (_ctx, term) => [`project:${term.projectId}`] })
 * ```
 */
export interface CacheableOptions<TResult = unknown> {
  /** Template or function giving the key (a function's text is not escaped). Default: derived from the call. */
  key?: CacheTemplate | ((ctx: CacheCallContext) => string);
  /** Lifetime: ms, or a string with its unit (`'5m'`). Default: the module's `defaultTtl`. */
  ttl?: Duration;
  /**
   * Tags of the entry: templates, or a function also given the result.
   * Invalidating a tag invalidates every entry that carries it.
   */
  tags?:
    | readonly CacheTemplate[]
    | ((ctx: CacheCallContext, result: TResult) => readonly string[]);
  /** Use the cache for this call at all? Decided from the arguments. */
  condition?: (ctx: CacheCallContext) => boolean;
  /** Do not store this result (it is still returned). */
  unless?: (result: TResult, ctx: CacheCallContext) => boolean;
  /** Store `null`/`undefined` results too. Default true. */
  cacheNullish?: boolean;
  /**
   * HTTP only. `'principal'` (default): the entry is private to the
   * authenticated principal. `'public'`: shared by everyone.
   */
  scope?: 'principal' | 'public';
  /**
   * HTTP only, public entries: `Cache-Control: public, max-age=<seconds>`,
   * so browsers and shared caches may serve the response that long without
   * asking. Only for data allowed to lag: they never see an invalidation.
   * Default: `public, no-cache` (they revalidate with the ETag every time).
   */
  maxAge?: Duration;
  /**
   * Schema version of the entry (a positive integer). Entries of another
   * version are never read; invalidation reaches every version. Default:
   * the module's `versions` for the key's namespace, else its `version` (1).
   */
  version?: number;
  /**
   * The value is sensitive: its TTL is capped by the module's
   * `sensitiveMaxTtl`, it is never kept in an in-process tier, and each hit
   * and fill is logged at debug level (with the key's namespace, never the
   * value). It is still checked for fields that look secret.
   */
  sensitive?: boolean;
  /**
   * Store the value even when a field's name looks secret (see the module's
   * `sensitiveFields`): the guard is turned off for this decorator, knowingly.
   */
  allowSensitive?: boolean;
  /**
   * `false` keeps this entry out of the in-process tier (when the module has
   * one): every read goes to Redis. Default true.
   */
  l1?: boolean;
  /**
   * How long the entry is kept past its TTL, served instead of the method's
   * error or timeout (HTTP: `X-Cache: STALE`); never after an invalidation
   * reached it. `false`: none. Default: the module's `grace`.
   */
  grace?: Duration | false;
  /** Time limits of the method (see `LoaderTimeouts`). `false`: none. Default: the module's. */
  timeouts?: LoaderTimeouts | false;
  /**
   * How long past its TTL the entry is answered at once while one reload
   * refreshes it (HTTP: `X-Cache: STALE`). `false`: none. Default: the module's.
   */
  staleWhileRevalidate?: Duration | false;
  /**
   * Refresh the entry in the background before its TTL (XFetch, see
   * `EarlyRefresh`), so a hot entry never expires under load. `false`: off.
   * Default: the module's.
   */
  earlyRefresh?: EarlyRefresh;
}

/**
 * Targets of an invalidation: templates, or a function of the call (and,
 * after it, of its result) returning the keys, tags or patterns themselves.
 *
 * @example
 * const tags: InvalidationTargetsOf<Project> = (_ctx, project) => [`project:${project.id}`];
 */
export type InvalidationTargetsOf<TResult = unknown> =
  | readonly CacheTemplate[]
  | ((ctx: CacheCallContext, result: TResult) => readonly string[]);

/**
 * What a write invalidates. Targets given by a function are used as they are
 * (not escaped); `result` is the call's result, or undefined when the
 * invalidation runs before the call or after it failed.
 *
 * @example
 * ```ts
 * @CacheInvalidate({ keys: ['term:{id}'], tags: ['project:{body.projectId}'], when: 'before' })
 * ```
 */
export interface CacheInvalidateOptions<TResult = unknown> {
  /** Exact keys to delete. */
  keys?: InvalidationTargetsOf<TResult>;
  /** Tags to invalidate. */
  tags?: InvalidationTargetsOf<TResult>;
  /** Key patterns to delete; `*` is the only wildcard. */
  patterns?: InvalidationTargetsOf<TResult>;
  /** `'after'` (default): once the call succeeded. `'before'`: before it runs. */
  when?: 'after' | 'before';
  /** Also invalidate when the call throws (after-invalidations only). Default false. */
  invalidateOnError?: boolean;
  /**
   * Invalidate `tags` softly (see `CacheInvalidateTagsOptions`): their
   * entries are reloaded, yet servable within their grace; keys and
   * patterns are still deleted. Default false.
   */
  soft?: boolean;
}

/**
 * Options of `@CachePut`: where the result is stored, for how long, with
 * which tags. `TResult` types the result that key, `tags` and `unless`
 * functions receive.
 *
 * @example
 * ```ts
 * @CachePut<User>({ key: (_ctx, user) => `user:${user.id}`, ttl: '10m', tags: ['users'] })
 * ```
 */
export interface CachePutOptions<TResult = unknown> {
  /** Template or function giving the key. Default: derived from the call (on a route, its GET key). */
  key?: CacheTemplate | ((ctx: CacheCallContext, result: TResult) => string);
  /** Lifetime: ms, or a string with its unit. Default: the module's `defaultTtl`. */
  ttl?: Duration;
  tags?:
    | readonly CacheTemplate[]
    | ((ctx: CacheCallContext, result: TResult) => readonly string[]);
  unless?: (result: TResult, ctx: CacheCallContext) => boolean;
  /**
   * HTTP only. `'principal'` (default): the put writes the caller's own copy
   * and invalidates every other principal's. `'public'`: one shared entry.
   */
  scope?: 'principal' | 'public';
  /**
   * Schema version of the entry (a positive integer). Entries of another
   * version are never read; invalidation reaches every version. Default:
   * the module's `versions` for the key's namespace, else its `version` (1).
   */
  version?: number;
  /**
   * The value is sensitive: its TTL is capped by the module's
   * `sensitiveMaxTtl`, it is never kept in an in-process tier, and each hit
   * and fill is logged at debug level (with the key's namespace, never the
   * value). It is still checked for fields that look secret.
   */
  sensitive?: boolean;
  /**
   * Store the value even when a field's name looks secret (see the module's
   * `sensitiveFields`): the guard is turned off for this decorator, knowingly.
   */
  allowSensitive?: boolean;
}

/** A method's cache decorators, as read from its metadata. */
export interface CacheMetadata {
  readonly cacheable?: CacheableOptions;
  readonly put?: CachePutOptions;
  readonly invalidate: readonly CacheInvalidateOptions[];
}
