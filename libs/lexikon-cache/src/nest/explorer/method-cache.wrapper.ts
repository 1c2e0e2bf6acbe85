import { canonicalize } from '../../core/keys/canonical-json.js';
import { escapeKeyPart } from '../../core/keys/cache-keys.js';
import type { RootCheck, RootResolver } from '../../core/keys/key-template.js';
import type {
  PlanCall,
  PlanExecutor,
  PutTarget,
} from '../../declarative/plan-executor.js';
import { encodeValue } from '../../core/codec/value-codec.js';
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

/** Where a method's `@CachePut` writes: its key (this version's copy of it). */
function methodPutTarget(defaultKey: () => string): PutTarget {
  return { defaultKey, scope: '', encode: encodeValue };
}

/**
 * Wraps a provider method with its plan. The wrapper keeps `this`, so a
 * provider calling its own decorated method through `this` is cached too;
 * it always returns a promise (a key function that throws rejects it).
 */
export function wrapMethod(
  executor: PlanExecutor,
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
  const cached = (self: unknown, args: unknown[]): Promise<unknown> => {
    const run = () => original.apply(self, args);
    const call: PlanCall = { ctx: { args }, resolve: resolverFor(args, names) };
    if (c && (!c.condition || c.condition(call.ctx))) {
      const key = c.key
        ? c.key(call.resolve, () => call.ctx)
        : defaultKeyOf(args);
      if (key !== undefined) {
        const load = () => executor.cachedCall(plan, c, call, key, run);
        return plan.before.length || plan.after.length
          ? executor.around(plan, call, load)
          : load();
      }
      engine.warnOnce(
        `${plan.where}: @Cacheable key has no value for this call; calling through`,
      );
    }
    if (p) {
      const target = methodPutTarget(() => defaultKeyOf(args));
      return executor.around(plan, call, async () => {
        const result = await run();
        await executor.put(plan, p, call, result, target);
        return result;
      });
    }
    return executor.around(plan, call, run);
  };
  const wrapped = function (
    this: unknown,
    ...args: unknown[]
  ): Promise<unknown> {
    try {
      return cached(this, args);
    } catch (err) {
      return Promise.reject(
        err instanceof Error ? err : new Error(String(err)),
      );
    }
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
