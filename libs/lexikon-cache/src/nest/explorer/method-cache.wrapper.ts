import { canonicalize } from '../../core/keys/canonical-json.js';
import { escapeKeyPart } from '../../core/keys/cache-keys.js';
import type { RootCheck, RootResolver } from '../../core/keys/key-template.js';
import type { CacheCallContext } from '../../declarative/cache-options.types.js';
import type { CacheExecutor } from '../../declarative/plan-executor.js';
import type { CachePlan } from '../../declarative/cache-plan.js';

type AsyncMethod = (this: unknown, ...args: unknown[]) => Promise<unknown>;

/** Which `{...}` roots a method's templates may use: positions, parameter names, `result`. */
export function methodRootCheck(
  names: readonly (string | undefined)[],
  arity: number,
): RootCheck {
  return (root) => {
    if (root === 'result') return undefined;
    if (/^\d+$/.test(root)) {
      return Number(root) < Math.max(arity, names.length)
        ? undefined
        : `but the method has only ${Math.max(arity, names.length)} parameter(s)`;
    }
    return names.includes(root)
      ? undefined
      : `but the method has no parameter named "${root}" (use a position such as {0} for destructured parameters)`;
  };
}

function resolverFor(
  args: readonly unknown[],
  names: readonly (string | undefined)[],
): RootResolver {
  return (root) => {
    const code = root.charCodeAt(0);
    if (code >= 48 && code <= 57) return args[Number(root)];
    const i = names.indexOf(root);
    return i >= 0 ? args[i] : undefined;
  };
}

/**
 * Wraps a provider method with its plan. The wrapper keeps `this`, so a
 * provider calling its own decorated method through `this` is cached too.
 */
export function wrapMethod(
  executor: CacheExecutor,
  plan: CachePlan,
  original: AsyncMethod,
  className: string,
  methodName: string,
  names: readonly (string | undefined)[],
): AsyncMethod {
  const engine = executor.engine;
  const defaultKeyOf = (args: readonly unknown[]) =>
    `${className}.${methodName}:${escapeKeyPart(canonicalize(args))}`;
  const c = plan.cacheable;
  const p = plan.put;
  const wrapped = function (
    this: unknown,
    ...args: unknown[]
  ): Promise<unknown> {
    const call = () => original.apply(this, args);
    const resolve = resolverFor(args, names);
    const ctx: CacheCallContext = { args };
    if (c && (!c.condition || c.condition(ctx))) {
      const key = c.key ? c.key(resolve, ctx) : defaultKeyOf(args);
      if (key !== undefined) {
        const load = () =>
          engine.getOrLoad(
            engine.key(key),
            executor.earlyTagKeys(plan, c, resolve),
            call,
            executor.valuePolicy(plan, c, ctx, resolve),
          );
        return plan.before.length || plan.after.length
          ? executor.around(plan, resolve, ctx, load)
          : load();
      }
      engine.warnOnce(
        `${plan.where}: @Cacheable key has no value for this call; calling through`,
      );
    }
    if (p) {
      return executor.around(plan, resolve, ctx, async () => {
        const result = await call();
        await executor.put(plan, p, ctx, resolve, result, () =>
          defaultKeyOf(args),
        );
        return result;
      });
    }
    return executor.around(plan, resolve, ctx, call);
  };
  Object.defineProperty(wrapped, 'name', { value: methodName });
  for (const key of Reflect.getMetadataKeys(original) as unknown[]) {
    Reflect.defineMetadata(
      key,
      Reflect.getMetadata(key, original) as unknown,
      wrapped,
    );
  }
  return wrapped;
}
