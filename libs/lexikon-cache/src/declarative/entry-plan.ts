import { CacheDecorationError } from '../core/errors/lexikon-cache.error.js';
import type { ResolvedCacheOptions } from '../core/options/resolve-options.js';
import {
  describeDuration,
  durationMs,
  type Duration,
} from '../core/time/duration.js';
import { EntryVersions, type VersionSuffix } from './entry-versions.js';

/** What a decorator says of the entries it stores: lifetime, version. */
export interface EntryOptions {
  readonly ttl?: Duration;
  readonly version?: number;
}

/** The compiled form of `EntryOptions`, shared by `@Cacheable` and `@CachePut` plans. */
export interface EntryPlan {
  readonly ttlMs: number;
  /** The suffix of this version's copy of a rendered key (`''` at the default version). */
  readonly versionOf: VersionSuffix;
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
  return {
    ttlMs: durationOf(where, 'ttl', o.ttl, options.defaultTtlMs),
    versionOf: versions.compile(version(where, o.version), keySource),
  };
}
