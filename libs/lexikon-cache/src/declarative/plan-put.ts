import { decodeStoredValue } from '../core/codec/http-entry.js';
import type { Invalidation } from '../core/engine/invalidation.js';
import type { CachePlan, PutPlan } from './cache-plan.js';
import { keyTag, scopedEntry } from './entry-scope.js';
import type { RootResolver } from '../core/keys/key-template.js';
import type { PlanCall, PlanExecutor, PutTarget } from './plan-executor.js';

/** Template roots of a call once its result is known: `{result...}` too. */
export function withResult(
  resolve: RootResolver,
  result: unknown,
): RootResolver {
  return (root) => (root === 'result' ? result : resolve(root));
}

/**
 * `@CachePut`, the one write-through path of routes and methods: the
 * result is stored as this version's (and, on a private route, the
 * caller's) copy of its key, within `maxValueBytes`, after every other
 * copy of the key is invalidated (other versions', other principals').
 * A result that is not stored (unless, the guard, too large,
 * unencodable) invalidates the key and all its copies instead; in strict
 * mode the guard's error is then thrown.
 */
export async function runPut(
  executor: PlanExecutor,
  plan: CachePlan,
  p: PutPlan,
  call: PlanCall,
  result: unknown,
  target: PutTarget,
): Promise<void> {
  const engine = executor.engine;
  const key = p.key
    ? p.key(withResult(call.resolve, result), call.ctx, result)
    : target.defaultKey();
  if (key === undefined) {
    engine.warnOnce(`${plan.where}: @CachePut key has no value for this call`);
    return;
  }
  const entry =
    target.scope === undefined
      ? undefined
      : scopedEntry(engine, key, p.versionOf(key) + target.scope);
  const scoped = entry === undefined || entry.tagKeys.length > 0;
  const first: Invalidation = {
    keys: scoped ? [engine.key(key)] : [],
    tagKeys: [engine.tagKey(keyTag(key))],
  };
  let refused: unknown;
  let payload: string | undefined;
  if (entry && executor.storable(p, result, call.ctx)) {
    try {
      payload = executor.admits(plan, p, result)
        ? engine.encodeOrSkip(entry.key, result, {
            ttlMs: p.ttlMs,
            encode: target.encode,
            decode: decodeStoredValue,
          })
        : undefined;
    } catch (err) {
      refused = err;
    }
  }
  if (entry === undefined || payload === undefined) {
    // what the write changed must not stay cached, even when it is not stored
    await engine.invalidate({
      keys: [...(first.keys ?? []), ...(entry ? [entry.key] : [])],
      tagKeys: first.tagKeys,
    });
    if (refused !== undefined) throw refused;
    return;
  }
  if (p.sensitive) executor.logSensitive(plan, 'fill', key);
  const tagKeys = [
    ...executor.lateTagKeys(plan, p.tags, p.tagsFn, call, result),
    ...entry.tagKeys,
  ];
  await engine.put(entry.key, payload, p.ttlMs, tagKeys, first);
}
