import { CacheDecorationError } from '../core/errors/lexikon-cache.error.js';
import {
  resolveGrace,
  type GraceSettings,
} from '../core/options/grace-options.js';
import type { ResolvedCacheOptions } from '../core/options/resolve-options.js';
import type { CacheableOptions } from './cache-options.types.js';
import {
  describeDuration,
  durationMs,
  type Duration,
} from '../core/time/duration.js';
import { EntryVersions, type VersionSuffix } from './entry-versions.js';

/** What a decorator says of the entries it stores: lifetime, version, sensitivity. */
export interface EntryOptions {
  readonly ttl?: Duration;
  readonly version?: number;
  readonly sensitive?: boolean;
  readonly allowSensitive?: boolean;
}

/** The compiled form of `EntryOptions`, shared by `@Cacheable` and `@CachePut` plans. */
export interface EntryPlan {
  readonly ttlMs: number;
  /** The suffix of this version's copy of a rendered key (`''` at the default version). */
  readonly versionOf: VersionSuffix;
  /** Whether a value is checked for fields that look secret before it is stored. */
  readonly guarded: boolean;
  /** `sensitive: true`: TTL capped, hits and fills logged at debug level. */
  readonly sensitive: boolean;
  /**
   * Whether an in-process tier may keep this entry: false for sensitive
   * entries, so that sensitive data never sits in process memory beyond the
   * call (a `@Cacheable` plan's `l1` takes it into account).
   */
  readonly inProcess: boolean;
}

/** Milliseconds of a decorator's duration, or the default; names the method when it is not one. */
export function durationOf(
  where: string,
  what: string,
  value: Duration | undefined,
  fallbackMs: number,
): number {
  if (value === undefined) return fallbackMs;
  const ms = durationMs(value);
  if (ms === undefined) {
    throw CacheDecorationError.create(
      where,
      `${what} must be a positive duration (ms, or a string such as '30s', '5m'), got ${describeDuration(value)}`,
    );
  }
  return ms;
}

function flag(where: string, name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw CacheDecorationError.create(where, `${name} must be true or false`);
  }
  return value;
}

function version(where: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw CacheDecorationError.create(
      where,
      `version must be a positive integer, got ${JSON.stringify(value) ?? typeof value}`,
    );
  }
  return value;
}

/** Compiles what every storing decorator shares; `keySource` is its key template, when it is one. */
export function compileEntry(
  where: string,
  o: EntryOptions,
  keySource: string | undefined,
  options: ResolvedCacheOptions,
  versions: EntryVersions = new EntryVersions(options),
): EntryPlan {
  const sensitive = flag(where, 'sensitive', o.sensitive);
  const allowSensitive = flag(where, 'allowSensitive', o.allowSensitive);
  const ttlMs = durationOf(where, 'ttl', o.ttl, options.defaultTtlMs);
  return {
    ttlMs: sensitive ? Math.min(ttlMs, options.sensitiveMaxTtlMs) : ttlMs,
    versionOf: versions.compile(version(where, o.version), keySource),
    guarded: !allowSensitive && options.sensitiveGuard !== 'off',
    sensitive,
    inProcess: !sensitive,
  };
}

/** A `@Cacheable`'s grace period, revalidation window and loader timeouts, over the module's. */
export function compileGrace(
  where: string,
  o: Pick<
    CacheableOptions,
    'grace' | 'timeouts' | 'staleWhileRevalidate' | 'earlyRefresh'
  >,
  options: ResolvedCacheOptions,
): GraceSettings {
  return resolveGrace(
    o.grace,
    o.timeouts,
    options.grace,
    (m) => CacheDecorationError.create(where, m),
    o.staleWhileRevalidate,
    o.earlyRefresh,
  );
}
