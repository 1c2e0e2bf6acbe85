import { decodeStoredValue } from '../core/codec/http-entry.js';
import { encodeValue } from '../core/codec/value-codec.js';
import type { CacheEngine } from '../core/engine/cache-engine.js';
import type { EntryPolicy } from '../core/engine/entry-policy.js';
import type { Invalidation } from '../core/engine/invalidation.js';
import type { KeyTemplate, RootResolver } from '../core/keys/key-template.js';
import type { CacheCallContext } from './cache-options.types.js';
import type {
  CachePlan,
  CacheablePlan,
  InvalidationPlan,
  PutPlan,
  TargetSource,
} from './cache-plan.js';

/** The tag every principal's copy of a key carries, so that invalidating the key reaches them all. */
export function keyTag(key: string): string {
  return `~key:${key}`;
}

export function withResult(
  resolve: RootResolver,
  result: unknown,
): RootResolver {
  return (root) => (root === 'result' ? result : resolve(root));
}

/** One call a plan runs around: its context, its template roots. */
export interface PlanCall {
  readonly ctx: CacheCallContext;
  readonly resolve: RootResolver;
}

/** Where and how a `@CachePut` stores, which depends on who calls (a method, an HTTP route). */
export interface PutTarget {
  /** The rendered key when the put names none. */
  readonly defaultKey: () => string;
  /** The full key to write for a rendered key (a route's principal scope applied), or undefined to write none. */
  readonly fullKey: (key: string) => string | undefined;
  /** Extra full tag keys the entry carries. */
  readonly tagKeys: (key: string) => readonly string[];
  /** What to invalidate before writing (other principals' copies). */
  readonly first: (key: string) => Invalidation | undefined;
  /** The payload for a result, or undefined when this result is not stored. */
  readonly encode: (result: unknown) => string | undefined;
}

/**
 * Runs a compiled plan around a call, with the engine: invalidations before
 * and after it, `@Cacheable` policies and `@CachePut` writes, for HTTP
 * routes and service methods alike. Knows nothing of HTTP: the interceptor
 * and the method wrappers feed it.
 */
export class PlanExecutor {
  constructor(readonly engine: CacheEngine) {}

  /** Renders templates; a value absent from the call is skipped with a warning. */
  renderAll(
    plan: CachePlan,
    templates: readonly KeyTemplate[],
    resolve: RootResolver,
  ): string[] {
    const out: string[] = [];
    for (const t of templates) {
      const text = t.render(resolve);
      if (text === undefined) {
        this.engine.warnOnce(
          `${plan.where}: cache template "${t.source}" has no value for this call`,
        );
      } else {
        out.push(text);
      }
    }
    return out;
  }

  private render(
    plan: CachePlan,
    source: TargetSource,
    call: PlanCall,
    result: unknown,
  ): readonly string[] {
    return typeof source === 'function'
      ? source(call.ctx, result)
      : this.renderAll(plan, source, call.resolve);
  }

  /** What the plan's invalidations reach for this call. */
  targets(
    plan: CachePlan,
    plans: readonly InvalidationPlan[],
    call: PlanCall,
    result: unknown,
  ): Invalidation {
    const keys: string[] = [];
    const tagKeys: string[] = [];
    const globs: string[] = [];
    const withRes: PlanCall = {
      ctx: call.ctx,
      resolve: withResult(call.resolve, result),
    };
    for (const p of plans) {
      for (const key of this.render(plan, p.keys, withRes, result)) {
        keys.push(this.engine.key(key));
        tagKeys.push(this.engine.tagKey(keyTag(key)));
      }
      for (const tag of this.render(plan, p.tags, withRes, result)) {
        tagKeys.push(this.engine.tagKey(tag));
      }
      for (const pattern of this.render(plan, p.patterns, withRes, result)) {
        globs.push(...this.engine.globs(pattern));
      }
    }
    return { keys, tagKeys, globs };
  }

  private async invalidate(
    plan: CachePlan,
    plans: readonly InvalidationPlan[],
    call: PlanCall,
    result?: unknown,
  ): Promise<void> {
    await this.engine.invalidate(this.targets(plan, plans, call, result));
  }

  /**
   * Runs `run` between the plan's before- and after-invalidations. After a
   * failure only the invalidations that asked for it run, then the error is
   * rethrown.
   */
  async around<T>(
    plan: CachePlan,
    call: PlanCall,
    run: () => Promise<T>,
  ): Promise<T> {
    if (plan.before.length) await this.invalidate(plan, plan.before, call);
    if (plan.after.length === 0) return run();
    let result: T;
    try {
      result = await run();
    } catch (err) {
      const onError = plan.after.filter((p) => p.invalidateOnError);
      if (onError.length) await this.invalidate(plan, onError, call);
      throw err;
    }
    await this.invalidate(plan, plan.after, call, result);
    return result;
  }

  /** Full tag keys of an entry known before the call. */
  earlyTagKeys(
    plan: CachePlan,
    c: CacheablePlan,
    resolve: RootResolver,
  ): string[] {
    return this.renderAll(plan, c.tags, resolve).map((t) =>
      this.engine.tagKey(t),
    );
  }

  /** Full tag keys known once the result is. */
  lateTagKeys(
    plan: CachePlan,
    templates: readonly KeyTemplate[],
    fn:
      | ((ctx: CacheCallContext, result: unknown) => readonly string[])
      | undefined,
    call: PlanCall,
    result: unknown,
  ): string[] {
    const tags = this.renderAll(
      plan,
      templates,
      withResult(call.resolve, result),
    );
    if (fn) tags.push(...fn(call.ctx, result));
    return tags.map((t) => this.engine.tagKey(t));
  }

  /** Whether a result may be stored under the plan (`cacheNullish`, `unless`). */
  storable(
    c: CacheablePlan | PutPlan,
    result: unknown,
    ctx: CacheCallContext,
  ): boolean {
    if ('cacheNullish' in c && !c.cacheNullish && result == null) return false;
    return !c.unless?.(result, ctx);
  }

  /** The value policy of a `@Cacheable` service method for one call. */
  valuePolicy(
    plan: CachePlan,
    c: CacheablePlan,
    call: PlanCall,
  ): EntryPolicy<unknown> {
    const late = c.lateTags.length > 0 || c.tagsFn !== undefined;
    return {
      ttlMs: c.ttlMs,
      encode: (value) =>
        this.storable(c, value, call.ctx) ? encodeValue(value) : undefined,
      decode: decodeStoredValue,
      lateTags: late
        ? (value) => this.lateTagKeys(plan, c.lateTags, c.tagsFn, call, value)
        : undefined,
      l1: c.l1,
    };
  }

  /**
   * `@CachePut`, the one write-through path of routes and methods: the
   * result is stored under its key (scoped by the target), within
   * `maxValueBytes`, after what the target says must go first. A result that
   * is not stored (unless, too large, unencodable) invalidates the key instead.
   */
  async put(
    plan: CachePlan,
    p: PutPlan,
    call: PlanCall,
    result: unknown,
    target: PutTarget,
  ): Promise<void> {
    const key = p.key
      ? p.key(withResult(call.resolve, result), call.ctx, result)
      : target.defaultKey();
    if (key === undefined) {
      this.engine.warnOnce(
        `${plan.where}: @CachePut key has no value for this call`,
      );
      return;
    }
    const full = target.fullKey(key);
    const first = target.first(key);
    const payload =
      full === undefined || !this.storable(p, result, call.ctx)
        ? undefined
        : this.engine.encodeOrSkip(full, result, {
            ttlMs: p.ttlMs,
            encode: target.encode,
            decode: decodeStoredValue,
          });
    if (full === undefined || payload === undefined) {
      // what the write changed must not stay cached, even when it is not stored
      await this.engine.invalidate({
        keys: [...(first?.keys ?? []), ...(full ? [full] : [])],
        tagKeys: first?.tagKeys,
      });
      return;
    }
    const tagKeys = [
      ...this.lateTagKeys(plan, p.tags, p.tagsFn, call, result),
      ...target.tagKeys(key),
    ];
    await this.engine.put(full, payload, p.ttlMs, tagKeys, first);
  }
}
