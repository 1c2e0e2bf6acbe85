/**
 * What key, tag and condition functions see of a call. For a service method
 * `args` holds its arguments; for a controller handler the request parts are
 * given instead (and `args` is empty).
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
 */
export type CacheTemplate = string;

export interface CacheableOptions<TResult = unknown> {
  /** Template or function giving the key. Default: derived from the call. */
  key?: CacheTemplate | ((ctx: CacheCallContext) => string);
  /** Seconds. Default: the module's `defaultTtl`. */
  ttl?: number;
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
}

/**
 * Targets of an invalidation: templates, or a function of the call (and,
 * after it, of its result) returning the keys, tags or patterns themselves.
 */
export type InvalidationTargets =
  | readonly CacheTemplate[]
  | ((ctx: CacheCallContext, result: unknown) => readonly string[]);

export interface CacheInvalidateOptions {
  /** Exact keys to delete. */
  keys?: InvalidationTargets;
  /** Tags to invalidate. */
  tags?: InvalidationTargets;
  /** Key patterns to delete; `*` is the only wildcard. */
  patterns?: InvalidationTargets;
  /** `'after'` (default): once the call succeeded. `'before'`: before it runs. */
  when?: 'after' | 'before';
  /** Also invalidate when the call throws (after-invalidations only). Default false. */
  invalidateOnError?: boolean;
}

export interface CachePutOptions<TResult = unknown> {
  key?: CacheTemplate | ((ctx: CacheCallContext, result: TResult) => string);
  ttl?: number;
  tags?:
    | readonly CacheTemplate[]
    | ((ctx: CacheCallContext, result: TResult) => readonly string[]);
  unless?: (result: TResult, ctx: CacheCallContext) => boolean;
}

/** A method's cache decorators, as read from its metadata. */
export interface CacheMetadata {
  readonly cacheable?: CacheableOptions;
  readonly put?: CachePutOptions;
  readonly invalidate: readonly CacheInvalidateOptions[];
}
