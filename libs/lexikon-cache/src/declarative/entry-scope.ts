import type { CacheEngine } from '../core/engine/cache-engine.js';
import type { Invalidation } from '../core/engine/invalidation.js';

/**
 * The tag every scoped copy of a key carries (a version's, a principal's),
 * so that invalidating the key reaches them all.
 */
export function keyTag(key: string): string {
  return `~key:${key}`;
}

/** Where a scoped copy of a key is stored, and the tag that ties it to the key. */
export interface ScopedEntry {
  readonly key: string;
  /** The full `~key:` tag key when the copy is scoped, else none. */
  readonly tagKeys: readonly string[];
}

const NO_TAGS: readonly string[] = [];

/** The copy of `key` under `suffix` (version and principal suffixes, `''` for the key itself). */
export function scopedEntry(
  engine: CacheEngine,
  key: string,
  suffix: string,
): ScopedEntry {
  return {
    key: engine.key(key + suffix),
    tagKeys: suffix ? [engine.tagKey(keyTag(key))] : NO_TAGS,
  };
}

/** Invalidating keys: the entries themselves and every scoped copy of them. */
export function keysInvalidation(
  engine: CacheEngine,
  keys: readonly string[],
): Invalidation {
  return {
    keys: keys.map((k) => engine.key(k)),
    tagKeys: keys.map((k) => engine.tagKey(keyTag(k))),
  };
}

/**
 * SCAN globs of a pattern, reaching the scoped copies of every key it
 * matches: a pattern ending in `*` does already (a copy starts with its
 * key); any other also gets `<pattern>:~*`.
 */
export function patternGlobs(engine: CacheEngine, pattern: string): string[] {
  const globs = engine.globs(pattern);
  if (pattern.endsWith('*')) return globs;
  return [...new Set([...globs, ...engine.globs(`${pattern}:~*`)])];
}
