import {
  CacheOptionsError,
  InvalidKeyError,
  InvalidTtlError,
  LexikonCacheError,
} from '../core/errors/lexikon-cache.error.js';
import { isReservedKey } from '../core/keys/cache-keys.js';
import {
  resolveGrace,
  type GraceSettings,
} from '../core/options/grace-options.js';
import { durationMs, type Duration } from '../core/time/duration.js';
import type { CacheGetOrSetOptions } from './cache-service.types.js';

/** A caller's key: a non-empty string that cannot reach the library's own names. */
export function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0 || isReservedKey(key))
    throw InvalidKeyError.create(key);
}

/** Milliseconds of a caller's TTL, or the default when none is given. */
export function ttlMsOf(ttl: Duration | undefined, defaultMs: number): number {
  if (ttl === undefined) return defaultMs;
  const ms = durationMs(ttl);
  if (ms === undefined) throw InvalidTtlError.create(ttl);
  return ms;
}

export function checkBy(by: number): void {
  if (!Number.isSafeInteger(by)) {
    throw new LexikonCacheError(
      'WRONG_TYPE',
      `increment needs an integer, got ${String(by)}`,
    );
  }
}

/** A `getOrSet` call's grace period and timeouts over the module's (checked). */
export function graceOf(
  options: CacheGetOrSetOptions | undefined,
  inherited: GraceSettings,
): GraceSettings {
  return resolveGrace(
    options?.grace,
    options?.timeouts,
    inherited,
    (m) => new CacheOptionsError(`getOrSet: ${m}`),
    options?.staleWhileRevalidate,
    options?.earlyRefresh,
  );
}
