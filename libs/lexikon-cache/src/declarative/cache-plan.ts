import type { GraceSettings } from '../core/options/grace-options.js';
import type {
  CacheableOptions,
  CacheCallContext,
  CacheInvalidateOptions,
  CachePutOptions,
  CacheMetadata,
} from './cache-options.types.js';
import {
  CacheDecorationError,
  CacheTemplateError,
} from '../core/errors/lexikon-cache.error.js';
import {
  KeyTemplate,
  type RootCheck,
  type RootResolver,
} from '../core/keys/key-template.js';
import type { ResolvedCacheOptions } from '../core/options/resolve-options.js';
import {
  compileEntry,
  compileGrace,
  durationOf,
  type EntryPlan,
} from './entry-plan.js';
import { EntryVersions } from './entry-versions.js';

/**
 * Renders a key from the call; undefined when a value is absent. The
 * context is made only for key functions (templates need none), so a hit
 * allocates none.
 */
export type KeySource = (
  resolve: RootResolver,
  ctx: () => CacheCallContext,
) => string | undefined;

export interface CacheablePlan extends EntryPlan {
  /** Undefined: the caller derives the key from the call. */
  readonly key: KeySource | undefined;
  /** The key's template, when it is one. */
  readonly keyTemplate: KeyTemplate | undefined;
  readonly tags: readonly KeyTemplate[];
  /** Tags known once the result is: `{result...}` templates or a tags function. */
  readonly lateTags: readonly KeyTemplate[];
  readonly tagsFn:
    ((ctx: CacheCallContext, result: unknown) => readonly string[]) | undefined;
  readonly condition: ((ctx: CacheCallContext) => boolean) | undefined;
  readonly unless:
    ((result: unknown, ctx: CacheCallContext) => boolean) | undefined;
  readonly cacheNullish: boolean;
  readonly scope: 'principal' | 'public';
  /** Seconds of `max-age` for public HTTP entries, when the route allows browsers to keep them. */
  readonly maxAgeSeconds: number | undefined;
  /** Whether the entry may be kept in the in-process tier. */
  readonly l1: boolean;
  /** Grace period and loader timeouts (the module's unless the decorator says). */
  readonly grace: GraceSettings;
}

export interface PutPlan extends EntryPlan {
  readonly key:
    | ((
        resolve: RootResolver,
        ctx: CacheCallContext,
        result: unknown,
      ) => string | undefined)
    | undefined;
  readonly tags: readonly KeyTemplate[];
  readonly tagsFn:
    ((ctx: CacheCallContext, result: unknown) => readonly string[]) | undefined;
  readonly unless:
    ((result: unknown, ctx: CacheCallContext) => boolean) | undefined;
  readonly scope: 'principal' | 'public';
}

/** Templates, or a function giving the targets themselves. */
export type TargetSource =
  | readonly KeyTemplate[]
  | ((ctx: CacheCallContext, result: unknown) => readonly string[]);

export interface InvalidationPlan {
  readonly keys: TargetSource;
  readonly tags: TargetSource;
  readonly patterns: TargetSource;
  readonly when: 'after' | 'before';
  readonly invalidateOnError: boolean;
  readonly soft: boolean;
}

export interface CachePlan {
  /** `Class.method`, for messages. */
  readonly where: string;
  readonly cacheable: CacheablePlan | undefined;
  readonly put: PutPlan | undefined;
  readonly before: readonly InvalidationPlan[];
  readonly after: readonly InvalidationPlan[];
}

function compileTemplates(
  where: string,
  templates: readonly string[] | undefined,
  check: RootCheck,
  what: string,
): KeyTemplate[] {
  if (templates !== undefined && !Array.isArray(templates)) {
    throw CacheDecorationError.create(
      where,
      `${what} must be an array of templates`,
    );
  }
  return (templates ?? []).map((source) => {
    try {
      const t = KeyTemplate.parse(source);
      t.check(check);
      return t;
    } catch (err) {
      throw CacheTemplateError.create(
        where,
        String(source),
        (err as Error).message,
      );
    }
  });
}

function beforeResult(check: RootCheck): RootCheck {
  return (root) =>
    root === 'result'
      ? 'but the result is not known before the call'
      : check(root);
}

function afterCall(check: RootCheck): RootCheck {
  return (root) => (root === 'result' ? undefined : check(root));
}

function compileCacheable(
  where: string,
  o: CacheableOptions,
  check: RootCheck,
  options: ResolvedCacheOptions,
  versions: EntryVersions,
): CacheablePlan {
  let key: KeySource | undefined;
  let keyTemplate: KeyTemplate | undefined;
  if (typeof o.key === 'function') {
    const fn = o.key;
    key = (_resolve, ctx) => fn(ctx());
  } else if (o.key !== undefined) {
    const [t] = compileTemplates(where, [o.key], beforeResult(check), 'key');
    keyTemplate = t;
    key = (resolve) => t.render(resolve);
  }
  const templates =
    typeof o.tags === 'function'
      ? []
      : compileTemplates(where, o.tags, afterCall(check), 'tags');
  if (
    o.scope !== undefined &&
    o.scope !== 'public' &&
    o.scope !== 'principal'
  ) {
    throw CacheDecorationError.create(
      where,
      `scope must be 'public' or 'principal'`,
    );
  }
  const entry = compileEntry(where, o, keyTemplate?.source, options, versions);
  return {
    ...entry,
    key,
    keyTemplate,
    tags: templates.filter((t) => !t.roots.has('result')),
    lateTags: templates.filter((t) => t.roots.has('result')),
    tagsFn:
      typeof o.tags === 'function'
        ? (o.tags as CacheablePlan['tagsFn'])
        : undefined,
    condition: o.condition,
    unless: o.unless as CacheablePlan['unless'],
    cacheNullish: o.cacheNullish ?? true,
    scope: o.scope ?? 'principal',
    maxAgeSeconds:
      o.maxAge === undefined
        ? undefined
        : Math.floor(
            Math.min(
              durationOf(where, 'maxAge', o.maxAge, 0),
              // a shared cache keeps a sensitive entry no longer than we do
              entry.sensitive ? entry.ttlMs : Infinity,
            ) / 1000,
          ),
    // a sensitive entry never sits in process memory beyond the call
    l1: o.l1 !== false && entry.inProcess,
    grace: compileGrace(where, o, options),
  };
}

function compilePut(
  where: string,
  o: CachePutOptions,
  check: RootCheck,
  options: ResolvedCacheOptions,
  versions: EntryVersions,
): PutPlan {
  let key: PutPlan['key'];
  let keySource: string | undefined;
  if (typeof o.key === 'function') {
    const fn = o.key as (ctx: CacheCallContext, result: unknown) => string;
    key = (_resolve, ctx, result) => fn(ctx, result);
  } else if (o.key !== undefined) {
    const [t] = compileTemplates(where, [o.key], afterCall(check), 'key');
    keySource = t.source;
    key = (resolve) => t.render(resolve);
  }
  return {
    ...compileEntry(where, o, keySource, options, versions),
    key,
    tags:
      typeof o.tags === 'function'
        ? []
        : compileTemplates(where, o.tags, afterCall(check), 'tags'),
    tagsFn:
      typeof o.tags === 'function' ? (o.tags as PutPlan['tagsFn']) : undefined,
    unless: o.unless as PutPlan['unless'],
    scope: o.scope ?? 'principal',
  };
}

function compileInvalidation(
  where: string,
  o: CacheInvalidateOptions,
  check: RootCheck,
): InvalidationPlan {
  const when = o.when ?? 'after';
  if (when !== 'after' && when !== 'before') {
    throw CacheDecorationError.create(
      where,
      `when must be 'after' or 'before'`,
    );
  }
  const rootCheck = when === 'before' ? beforeResult(check) : afterCall(check);
  const targets = (
    source: CacheInvalidateOptions['keys'],
    what: string,
  ): TargetSource =>
    typeof source === 'function'
      ? source
      : compileTemplates(where, source, rootCheck, what);
  const plan = {
    keys: targets(o.keys, 'keys'),
    tags: targets(o.tags, 'tags'),
    patterns: targets(o.patterns, 'patterns'),
    when,
    invalidateOnError: o.invalidateOnError ?? false,
    soft: o.soft === true,
  };
  const count = (t: TargetSource) => (typeof t === 'function' ? 1 : t.length);
  if (count(plan.keys) + count(plan.tags) + count(plan.patterns) === 0) {
    throw CacheDecorationError.create(
      where,
      '@CacheInvalidate() names no key, tag or pattern',
    );
  }
  return plan;
}

/**
 * Compiles a method's cache metadata once, at bootstrap, checking that every
 * template reference can be resolved: a wrong template fails start-up with
 * the method's name instead of caching under a wrong key.
 */
export function compileCachePlan(
  where: string,
  meta: CacheMetadata,
  check: RootCheck,
  options: ResolvedCacheOptions,
): CachePlan {
  if (meta.cacheable && meta.put) {
    throw CacheDecorationError.create(
      where,
      '@Cacheable and @CachePut cannot be combined',
    );
  }
  const invalidations = meta.invalidate.map((o) =>
    compileInvalidation(where, o, check),
  );
  const versions = new EntryVersions(options);
  return {
    where,
    cacheable: meta.cacheable
      ? compileCacheable(where, meta.cacheable, check, options, versions)
      : undefined,
    put: meta.put
      ? compilePut(where, meta.put, check, options, versions)
      : undefined,
    before: invalidations.filter((p) => p.when === 'before'),
    after: invalidations.filter((p) => p.when === 'after'),
  };
}
