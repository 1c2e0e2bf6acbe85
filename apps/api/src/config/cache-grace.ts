import { ConfigValidationError } from './config-validation.error.js';
import type { EnvironmentVariables } from './environment.js';

/** What the cache does with an expired entry while PostgreSQL fails. */
export interface CacheGraceSettings {
  /**
   * How long past its TTL an entry is kept and served (`X-Cache: STALE`)
   * when its reload fails or times out; absent when `CACHE_GRACE=off`.
   * Never after an invalidation reached the entry.
   */
  graceMs?: number;
  /**
   * How long a reload may run before an entry in its grace is served while
   * the reload goes on; absent when off (or when there is no grace).
   */
  softTimeoutMs?: number;
}

const DEFAULT_SOFT_TIMEOUT_MS = 1000;

/**
 * `CACHE_GRACE` and `CACHE_SOFT_TIMEOUT`. The soft timeout must end before
 * `DB_QUERY_TIMEOUT_MS` does, or the query's own timeout answers first and
 * the soft timeout never serves anything: a value given otherwise is
 * rejected. Unset, it is 1s, or half the query timeout when that is 1s or
 * less, so that lowering the query timeout alone stays a valid setting.
 *
 * @throws ConfigValidationError when CACHE_SOFT_TIMEOUT is not below DB_QUERY_TIMEOUT_MS.
 */
export function cacheGraceSettings(
  env: EnvironmentVariables,
): CacheGraceSettings {
  const queryMs = env.DB_QUERY_TIMEOUT_MS;
  const given = env.CACHE_SOFT_TIMEOUT;
  if (given !== undefined && given > 0 && given >= queryMs) {
    throw new ConfigValidationError([
      `CACHE_SOFT_TIMEOUT (${given} ms) must be shorter than DB_QUERY_TIMEOUT_MS (${queryMs} ms), or a stale entry is never served before the query gives up`,
    ]);
  }
  if (env.CACHE_GRACE === 0) return {};
  const softMs =
    given ??
    (DEFAULT_SOFT_TIMEOUT_MS < queryMs
      ? DEFAULT_SOFT_TIMEOUT_MS
      : Math.max(1, Math.floor(queryMs / 2)));
  return softMs > 0
    ? { graceMs: env.CACHE_GRACE, softTimeoutMs: softMs }
    : { graceMs: env.CACHE_GRACE };
}
