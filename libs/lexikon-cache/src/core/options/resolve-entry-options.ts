import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import type { LexikonCacheModuleOptions } from './cache-options.js';

/** The version an entry has when nothing names one; stored at the key itself. */
export const DEFAULT_VERSION = 1;

/** What decides an entry's identity, with defaults applied. */
export interface ResolvedEntryOptions {
  readonly version: number;
  /** Versions by key namespace; empty when none is configured. */
  readonly versions: ReadonlyMap<string, number>;
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

/** Applies defaults to the entry options and validates them, naming the option. */
export function resolveEntryOptions(
  options: LexikonCacheModuleOptions,
): ResolvedEntryOptions {
  return {
    version:
      options.version === undefined
        ? DEFAULT_VERSION
        : checkVersion('version', options.version),
    versions: checkVersions(options.versions),
  };
}
