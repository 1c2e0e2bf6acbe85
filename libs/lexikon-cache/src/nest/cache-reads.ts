import type { CacheEngine } from '../core/engine/cache-engine.js';
import { DROPPED } from '../core/engine/payloads.js';
import { answered, FAULT } from '../core/guard/fail-open-store.js';
import { VALUE_POLICY } from './cache-entries.js';

function decode<T>(
  engine: CacheEngine,
  key: string,
  payload: string | undefined,
): T | undefined {
  if (payload === undefined) return undefined;
  const value = engine.decodeOrDrop(key, payload, VALUE_POLICY);
  return value === DROPPED ? undefined : (value as T);
}

/**
 * `CacheService.get` of a full key, counted as a request: `hit` when an
 * entry was found, `miss` when not, `bypass`/`error` when the store was
 * not asked or failed.
 */
export async function readOne<T>(
  engine: CacheEngine,
  key: string,
): Promise<T | undefined> {
  if (engine.holding) {
    engine.metrics.requestNow(key, 'bypass');
    return undefined;
  }
  const r = await engine.call('get', key, (s) =>
    s.read(key, [], undefined, false),
  );
  // a reconnection while the read was out: its answer may predate a restart
  if (!answered(r) || !engine.guarded.trusted) {
    engine.metrics.requestNow(key, r === FAULT ? 'error' : 'bypass');
    return undefined;
  }
  const value = typeof r === 'string' ? decode<T>(engine, key, r) : undefined;
  engine.metrics.requestNow(key, value === undefined ? 'miss' : 'hit');
  return value;
}

/** `CacheService.mget` of full keys, each counted as `readOne` counts (no span per key). */
export async function readMany<T>(
  engine: CacheEngine,
  keys: readonly string[],
): Promise<(T | undefined)[]> {
  const misses = keys.map(() => undefined);
  if (keys.length === 0) return misses;
  const count = (result: 'hit' | 'miss' | 'bypass' | 'error', key: string) =>
    engine.metrics.requestNow(key, result, undefined, false);
  if (engine.holding) {
    keys.forEach((k) => count('bypass', k));
    return misses;
  }
  const r = await engine.call('mget', keys[0], (s) => s.readMany(keys));
  if (!answered(r) || !engine.guarded.trusted) {
    keys.forEach((k) => count(r === FAULT ? 'error' : 'bypass', k));
    return misses;
  }
  return r.map((p, i) => {
    const value = decode<T>(engine, keys[i], p);
    count(value === undefined ? 'miss' : 'hit', keys[i]);
    return value;
  });
}
