import { NO_GRACE, type GraceSettings } from '../core/options/grace-options.js';
import { decodeStoredValue } from '../core/codec/http-entry.js';
import { encodeValue } from '../core/codec/value-codec.js';
import type { CacheEngine } from '../core/engine/cache-engine.js';
import type { EntryPolicy } from '../core/engine/entry-policy.js';
import { answered as ok } from '../core/guard/fail-open-store.js';
import { scopedEntry, type ScopedEntry } from '../declarative/entry-scope.js';
import type { EntryVersions } from '../declarative/entry-versions.js';
import { checkKey } from './cache-arguments.js';

/** Full tag keys of a caller's tags (checked). */
export function tagKeysOf(
  engine: CacheEngine,
  tags: readonly string[] | undefined,
): readonly string[] {
  if (!tags?.length) return [];
  return tags.map((t) => {
    checkKey(t);
    return engine.tagKey(t);
  });
}

/** How `CacheService` reads values (its TTL is given per call). */
export const VALUE_POLICY: EntryPolicy<unknown> = {
  ttlMs: 0,
  encode: encodeValue,
  decode: decodeStoredValue,
};

/** The policy of a `getOrSet` call. */
export function loaderPolicy<T>(
  ttlMs: number,
  cacheNullish: boolean,
  grace: GraceSettings = NO_GRACE,
): EntryPolicy<T> {
  return {
    ...grace,
    ttlMs,
    encode: (value) =>
      cacheNullish || value != null ? encodeValue(value) : undefined,
    decode: decodeStoredValue as (payload: string) => T,
  };
}

/** This version's copies of caller keys (checked). */
export function versionedEntries(
  engine: CacheEngine,
  versions: EntryVersions,
  keys: readonly string[],
  version: number | undefined,
): ScopedEntry[] {
  return keys.map((k) => {
    checkKey(k);
    return scopedEntry(engine, k, versions.suffix(k, version));
  });
}

/**
 * Stores several values, all with one TTL: the entries at their own keys in
 * one round trip; a version's copies (which carry their key's tag) one by
 * one, at the same time. Resolves to whether every write was confirmed.
 */
export async function writeMany(
  engine: CacheEngine,
  entries: readonly ScopedEntry[],
  values: readonly unknown[],
  ttlMs: number,
): Promise<boolean> {
  const encoded = values.map((v) => encodeValue(v));
  if (entries.length === 0) return true;
  if (entries.some((e, i) => !engine.fitsSize(e.key, encoded[i]))) {
    return false;
  }
  if (engine.holding) return false;
  const plain: [string, string][] = [];
  const scoped: Promise<boolean>[] = [];
  entries.forEach((e, i) => {
    if (e.tagKeys.length === 0) plain.push([e.key, encoded[i]]);
    else scoped.push(engine.put(e.key, encoded[i], ttlMs, e.tagKeys));
  });
  const [plainOk, ...scopedOk] = await Promise.all([
    plain.length === 0 ? true : writePlain(engine, plain, ttlMs),
    ...scoped,
  ]);
  return plainOk && scopedOk.every(Boolean);
}

async function writePlain(
  engine: CacheEngine,
  encoded: readonly [string, string][],
  ttlMs: number,
): Promise<boolean> {
  const r = await engine.call('mset', encoded[0][0], (s) =>
    s.writeMany(encoded, ttlMs),
  );
  if (ok(r)) return engine.written(encoded.map(([k]) => k));
  await engine.invalidate({ keys: encoded.map(([k]) => k) });
  return false;
}
