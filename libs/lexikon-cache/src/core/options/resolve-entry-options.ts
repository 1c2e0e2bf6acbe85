import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import { describeDuration, durationMs } from '../time/duration.js';
import type { LexikonCacheModuleOptions } from './cache-options.js';

/**
 * Field names the sensitive-data guard looks for by default. Extend rather
 * than replace it.
 *
 * @example
 * LexikonCacheModule.forRoot({ sensitiveFields: [...DEFAULT_SENSITIVE_FIELDS, 'ssn'] })
 */
export const DEFAULT_SENSITIVE_FIELDS: readonly string[] = Object.freeze([
  'password',
  'passwordHash',
  'secret',
  'token',
  'apiKey',
]);

/** The version an entry has when nothing names one; stored at the key itself. */
export const DEFAULT_VERSION = 1;

/** What decides an entry's identity and what may be cached in it, with defaults applied. */
export interface ResolvedEntryOptions {
  readonly version: number;
  /** Versions by key namespace; empty when none is configured. */
  readonly versions: ReadonlyMap<string, number>;
  readonly sensitiveGuard: 'warn' | 'strict' | 'off';
  readonly sensitiveFields: readonly (string | RegExp)[];
  readonly sensitiveMaxTtlMs: number;
}

/** Throws a `CacheOptionsError` naming `name` unless `value` is a version (a positive integer). */
export function checkVersion(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new CacheOptionsError(
      `${name} must be a positive integer, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`,
    );
  }
  return value;
}

function checkVersions(value: unknown): ReadonlyMap<string, number> {
  if (value === undefined) return new Map();
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CacheOptionsError(
      'versions must be an object of key namespaces to versions, e.g. { term: 2 }',
    );
  }
  const out = new Map<string, number>();
  for (const [namespace, version] of Object.entries(value)) {
    if (namespace === '' || namespace.includes(':')) {
      throw new CacheOptionsError(
        `versions: ${JSON.stringify(namespace)} is not a key namespace (a key's text before its first ':')`,
      );
    }
    out.set(namespace, checkVersion(`versions.${namespace}`, version));
  }
  return out;
}

function checkFields(value: unknown): readonly (string | RegExp)[] {
  if (value === undefined) return DEFAULT_SENSITIVE_FIELDS;
  if (
    !Array.isArray(value) ||
    value.some(
      (f) =>
        !(f instanceof RegExp) &&
        (typeof f !== 'string' || !/[\p{L}\p{N}]/u.test(f)),
    )
  ) {
    throw new CacheOptionsError(
      'sensitiveFields must be an array of field names (strings with a letter or digit) or RegExps',
    );
  }
  return Object.freeze([...(value as (string | RegExp)[])]);
}

/** Applies defaults to the entry options and validates them, naming the option. */
export function resolveEntryOptions(
  options: LexikonCacheModuleOptions,
): ResolvedEntryOptions {
  const guard = options.sensitiveGuard ?? 'warn';
  if (guard !== 'warn' && guard !== 'strict' && guard !== 'off') {
    throw new CacheOptionsError(
      `sensitiveGuard must be 'warn', 'strict' or 'off', got ${String(guard)}`,
    );
  }
  const maxTtl = options.sensitiveMaxTtl;
  const sensitiveMaxTtlMs = maxTtl === undefined ? 60_000 : durationMs(maxTtl);
  if (sensitiveMaxTtlMs === undefined) {
    throw new CacheOptionsError(
      `sensitiveMaxTtl must be a positive duration (ms, or a string such as '30s'), got ${describeDuration(maxTtl)}`,
    );
  }
  return {
    version:
      options.version === undefined
        ? DEFAULT_VERSION
        : checkVersion('version', options.version),
    versions: checkVersions(options.versions),
    sensitiveGuard: guard,
    sensitiveFields: checkFields(options.sensitiveFields),
    sensitiveMaxTtlMs,
  };
}
