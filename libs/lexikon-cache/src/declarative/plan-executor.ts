import { decodeValue, encodeValue } from '../core/codec/value-codec.js';
import type { CacheCallContext } from './cache-options.types.js';
import type { KeyTemplate, RootResolver } from '../core/keys/key-template.js';
import type {
  CacheEngine,
  EntryPolicy,
  InvalidationTargets,
} from '../core/engine/cache-engine.js';
import type {
  CachePlan,
  CacheablePlan,
  InvalidationPlan,
  PutPlan,
  TargetSource,
} from './cache-plan.js';

/** The tag every entry of a principal-scoped key carries, so that invalidating the key reaches them all. */
export function keyTag(key: string): string {
  return `~key:${key}`;
}

function withResult(resolve: RootResolver, result: unknown): RootResolver {
  return (root) => (root === 'result' ? result : resolve(root));
}

/**
 * Runs a compiled plan around a call, with the engine: invalidations before
 * and after it, `@Cacheable` reads and `@CachePut` writes. Knows nothing of
 * HTTP; the interceptor and the method wrappers feed it.
 */
export class CacheExecutor {
  constructor(readonly engine: CacheEngine) {}

  /** Renders templates; a value absent from the call is skipped with a warning. */
  private renderAll(
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
    resolve: RootResolver,
    ctx: CacheCallContext,
    result: unknown,
  ): readonly string[] {
    return typeof source === 'function'
      ? source(ctx, result)
      : this.renderAll(plan, source, resolve);
  }

  private targets(
    plan: CachePlan,
    plans: readonly InvalidationPlan[],
    resolve: RootResolver,
    ctx: CacheCallContext,
    result: unknown,
  ): InvalidationTargets {
    const keys: string[] = [];
    const tagKeys: string[] = [];
    const globs: string[] = [];
    for (const p of plans) {
      for (const key of this.render(plan, p.keys, resolve, ctx, result)) {
        keys.push(this.engine.key(key));
        tagKeys.push(this.engine.tagKey(keyTag(key)));
      }
      for (const tag of this.render(plan, p.tags, resolve, ctx, result)) {
        tagKeys.push(this.engine.tagKey(tag));
      }
      for (const pattern of this.render(
        plan,
        p.patterns,
        resolve,
        ctx,
        result,
      )) {
        globs.push(this.engine.glob(pattern));
      }
    }
    return { keys, tagKeys, globs };
  }

  invalidate(
    plan: CachePlan,
    plans: readonly InvalidationPlan[],
    resolve: RootResolver,
    ctx: CacheCallContext,
    result?: unknown,
  ): Promise<boolean> {
    return this.engine.invalidate(
      this.targets(plan, plans, resolve, ctx, result),
    );
  }

  /**
   * Runs `call` between the plan's before- and after-invalidations. After a
   * failure only the invalidations that asked for it run, then the error is
   * rethrown.
   */
  async around<T>(
    plan: CachePlan,
    resolve: RootResolver,
    ctx: CacheCallContext,
    call: () => Promise<T>,
  ): Promise<T> {
    if (plan.before.length) {
      await this.invalidate(plan, plan.before, resolve, ctx);
    }
    if (plan.after.length === 0) return call();
    let result: T;
    try {
      result = await call();
    } catch (err) {
      const onError = plan.after.filter((p) => p.invalidateOnError);
      if (onError.length) await this.invalidate(plan, onError, resolve, ctx);
      throw err;
    }
    await this.invalidate(
      plan,
      plan.after,
      withResult(resolve, result),
      ctx,
      result,
    );
    return result;
  }

  /** Full tag keys of an entry, rendered before the call. */
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
    ctx: CacheCallContext,
    resolve: RootResolver,
    result: unknown,
  ): string[] {
    const tags = this.renderAll(plan, templates, withResult(resolve, result));
    if (fn) tags.push(...fn(ctx, result));
    return tags.map((t) => this.engine.tagKey(t));
  }

  /** The value policy of a `@Cacheable` service method for one call. */
  valuePolicy(
    plan: CachePlan,
    c: CacheablePlan,
    ctx: CacheCallContext,
    resolve: RootResolver,
  ): EntryPolicy<unknown> {
    const late = c.lateTags.length > 0 || c.tagsFn !== undefined;
    return {
      ttlMs: c.ttlMs,
      encode: (value) => {
        if (!c.cacheNullish && value == null) return undefined;
        if (c.unless?.(value, ctx)) return undefined;
        return encodeValue(value);
      },
      decode: decodeValue,
      lateTags: late
        ? (value) =>
            this.lateTagKeys(plan, c.lateTags, c.tagsFn, ctx, resolve, value)
        : undefined,
    };
  }

  /** `@CachePut`: stores the call's result under its key. */
  async put(
    plan: CachePlan,
    p: PutPlan,
    ctx: CacheCallContext,
    resolve: RootResolver,
    result: unknown,
    defaultKey: () => string,
  ): Promise<void> {
    if (p.unless?.(result, ctx)) return;
    const key = p.key
      ? p.key(withResult(resolve, result), ctx, result)
      : defaultKey();
    if (key === undefined) {
      this.engine.warnOnce(
        `${plan.where}: @CachePut key has no value for this call`,
      );
      return;
    }
    let payload: string;
    try {
      payload = encodeValue(result);
    } catch (err) {
      this.engine.warnOnce(
        `${plan.where}: not caching the result: ${(err as Error).message}`,
      );
      return;
    }
    const full = this.engine.key(key);
    if (!this.engine.fitsSize(full, payload)) return;
    const tagKeys = [
      ...this.renderAll(plan, p.tags, withResult(resolve, result)).map((t) =>
        this.engine.tagKey(t),
      ),
      ...(p.tagsFn
        ? p.tagsFn(ctx, result).map((t) => this.engine.tagKey(t))
        : []),
    ];
    await this.engine.put(full, payload, p.ttlMs, tagKeys);
  }
}
