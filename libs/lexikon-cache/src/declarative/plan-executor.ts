import { decodeStoredValue } from '../core/codec/http-entry.js';
import type { Invalidation } from '../core/engine/invalidation.js';
import { encodeValue } from '../core/codec/value-codec.js';
import type { CacheEngine } from '../core/engine/cache-engine.js';
import type { EntryPolicy } from '../core/engine/entry-policy.js';
import type { InvalidationCounts } from '../core/metrics/cache-tracer.js';
import { keyNamespace } from '../core/keys/cache-keys.js';
import type { KeyTemplate, RootResolver } from '../core/keys/key-template.js';
import type { CacheCallContext } from './cache-options.types.js';
import type {
  CachePlan,
  CacheablePlan,
  InvalidationPlan,
  PutPlan,
  TargetSource,
} from './cache-plan.js';
import type { EntryPlan } from './entry-plan.js';
import { keyTag, patternGlobs, scopedEntry } from './entry-scope.js';
import { runPut, withResult } from './plan-put.js';
import { SensitiveGuard } from './sensitive-guard.js';

export { keyTag } from './entry-scope.js';
export { withResult } from './plan-put.js';

/** One call a plan runs around: its context, its template roots. */
export interface PlanCall {
  readonly ctx: CacheCallContext;
  readonly resolve: RootResolver;
}

/** Where a `@CachePut` stores, which depends on who calls (a method, an HTTP route). */
export interface PutTarget {
  /** The rendered key when the put names none. */
  readonly defaultKey: () => string;
  /**
   * The principal suffix of the copy to write (`''` for the shared entry),
   * or undefined to write none (every copy is still invalidated).
   */
  readonly scope: string | undefined;
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
  private readonly guard: SensitiveGuard;

  constructor(readonly engine: CacheEngine) {
    this.guard = new SensitiveGuard(engine.options, (m) => engine.warnOnce(m));
  }

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

  /** What the plan's invalidations reach for this call, and how many keys, tags and patterns they name. */
  targets(
    plan: CachePlan,
    plans: readonly InvalidationPlan[],
    call: PlanCall,
    result: unknown,
  ): { inv: Invalidation; counts: InvalidationCounts } {
    let patterns = 0;
    let tags = 0;
    const keys: string[] = [];
    const tagKeys: string[] = [];
    // a tag also invalidated hard by another of the plans is hard
    const softTagKeys: string[] = [];
    const hard: string[] = [];
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
        const tagKey = this.engine.tagKey(tag);
        tagKeys.push(tagKey);
        (p.soft ? softTagKeys : hard).push(tagKey);
        tags++;
      }
      for (const pattern of this.render(plan, p.patterns, withRes, result)) {
        globs.push(...patternGlobs(this.engine, pattern));
        patterns++;
      }
    }
    return {
      inv: softTagKeys.length
        ? {
            keys,
            tagKeys,
            softTagKeys: softTagKeys.filter((t) => !hard.includes(t)),
            globs,
          }
        : { keys, tagKeys, globs },
      counts: { key: keys.length, tag: tags, pattern: patterns },
    };
  }

  private async invalidate(
    plan: CachePlan,
    plans: readonly InvalidationPlan[],
    call: PlanCall,
    result?: unknown,
  ): Promise<void> {
    const { inv, counts } = this.targets(plan, plans, call, result);
    await this.engine.metrics.invalidating(counts, () =>
      this.engine.invalidate(inv),
    );
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

  /**
   * Whether a value may be stored under the entry plan: the sensitive-data
   * guard's verdict, on what is about to be stored only (throws
   * `SensitiveValueError` in strict mode).
   */
  admits(plan: CachePlan, e: EntryPlan, value: unknown): boolean {
    return !e.guarded || this.guard.admits(plan.where, value);
  }

  /** A hit or fill of a `sensitive: true` entry, at debug level: its namespace, never the value. */
  logSensitive(plan: CachePlan, what: 'hit' | 'fill', key: string): void {
    this.engine.logger.debug(
      `${plan.where}: sensitive cache ${what} in "${keyNamespace(key)}"`,
    );
  }

  /**
   * A `@Cacheable` service method's call: this version's copy of `base`,
   * filled by `run` on a miss once its result passed `storable` and the guard.
   */
  cachedCall(
    plan: CachePlan,
    c: CacheablePlan,
    call: PlanCall,
    base: string,
    run: () => Promise<unknown>,
  ): Promise<unknown> {
    const entry = scopedEntry(this.engine, base, c.versionOf(base));
    const tagKeys = this.earlyTagKeys(plan, c, call.resolve);
    tagKeys.push(...entry.tagKeys);
    const checked = c.guarded || c.sensitive;
    let verdict: boolean | undefined;
    let loaded = false;
    const loader = checked
      ? async () => {
          loaded = true;
          const value = await run();
          verdict =
            this.storable(c, value, call.ctx) && this.admits(plan, c, value);
          return value;
        }
      : run;
    const late = c.lateTags.length > 0 || c.tagsFn !== undefined;
    const policy: EntryPolicy<unknown> = {
      ...c.grace,
      ttlMs: c.ttlMs,
      encode: (value) => {
        if (!(verdict ?? this.storable(c, value, call.ctx))) return undefined;
        if (c.sensitive) this.logSensitive(plan, 'fill', base);
        return encodeValue(value);
      },
      decode: decodeStoredValue,
      lateTags: late
        ? (value) => this.lateTagKeys(plan, c.lateTags, c.tagsFn, call, value)
        : undefined,
      l1: c.l1,
    };
    const result = this.engine.getOrLoad(entry.key, tagKeys, loader, policy);
    if (!c.sensitive) return result;
    return result.then((value) => {
      if (!loaded) this.logSensitive(plan, 'hit', base);
      return value;
    });
  }

  /** `@CachePut`: see `runPut`. */
  put(
    plan: CachePlan,
    p: PutPlan,
    call: PlanCall,
    result: unknown,
    target: PutTarget,
  ): Promise<void> {
    return runPut(this, plan, p, call, result, target);
  }
}
