import { NO_GRACE, resolveGrace, type GraceSettings } from './grace-options.js';
import type { Cluster, Redis } from 'ioredis';
import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import type { HttpGzipSettings } from '../codec/http-gzip.js';
import {
  resolveCompression,
  resolveHttpCompression,
  type ResolvedCompression,
} from './resolve-compression.js';
import { describeDuration, durationMs } from '../time/duration.js';
import type {
  LexikonCacheModuleOptions,
  RedisConnectionOptions,
} from './cache-options.js';
import {
  resolveEntryOptions,
  type ResolvedEntryOptions,
} from './resolve-entry-options.js';

/** Options with every default applied, durations in ms: the only shape the internals read. */
export interface ResolvedCacheOptions extends ResolvedEntryOptions {
  readonly store: 'redis' | 'memory';
  readonly redis: RedisConnectionOptions;
  readonly client: Redis | Cluster | undefined;
  readonly keyPrefix: string;
  readonly defaultTtlMs: number;
  /** The module's grace period and loader timeouts. */
  readonly grace: GraceSettings;
  readonly commandTimeoutMs: number;
  readonly maxValueBytes: number;
  readonly ttlJitter: number;
  readonly leaseTtlMs: number;
  readonly lockWaitMs: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
  readonly memoryMaxEntries: number;
  readonly memoryMaxBytes: number;
  readonly interceptor: boolean;
  readonly principal:
    ((request: unknown) => string | number | undefined | null) | undefined;
  readonly credentialHeaders: readonly string[];
  readonly connectWaitMs: number;
  readonly l1: ResolvedL1Options | undefined;
  readonly compression: ResolvedCompression;
  /** Gzip of cached JSON response bodies; undefined when off. */
  readonly httpCompression: HttpGzipSettings | undefined;
}

export interface ResolvedL1Options {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttlMs: number;
  readonly leaseMs: number;
  readonly maxLagMs: number;
  readonly bus: RedisConnectionOptions | undefined;
  readonly failSafe: boolean;
}

function resolveL1(
  l1: LexikonCacheModuleOptions['l1'],
): ResolvedL1Options | undefined {
  if (l1 === undefined || l1 === false) return undefined;
  const o = l1 === true ? {} : l1;
  if (typeof o !== 'object' || o === null) {
    throw new CacheOptionsError(
      'l1 must be true, false or an object of tier options',
    );
  }
  return {
    maxEntries: positiveInt('l1.maxEntries', o.maxEntries, 10_000),
    maxBytes: positiveInt('l1.maxBytes', o.maxBytes, 64 * 1024 * 1024),
    ttlMs: durationOption('l1.ttl', o.ttl, 300_000),
    leaseMs: durationOption('l1.lease', o.lease, 2_000),
    maxLagMs: durationOption('l1.maxLag', o.maxLag, 500),
    bus: o.bus,
    failSafe: booleanOption('l1.failSafe', o.failSafe),
  };
}

export const DEFAULT_KEY_PREFIX = 'lexikon:';
const MAX_PREFIX_BYTES = 64;

function positiveInt(
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new CacheOptionsError(
      `${name} must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
}

function booleanOption(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean')
    throw new CacheOptionsError(
      `${name} must be true or false, got ${JSON.stringify(value)}`,
    );
  return value;
}

/** Milliseconds of a duration option, naming the option when it is not one. */
export function durationOption(
  name: string,
  value: unknown,
  fallbackMs: number,
): number {
  if (value === undefined) return fallbackMs;
  const ms = durationMs(value);
  if (ms === undefined) {
    throw new CacheOptionsError(
      `${name} must be a positive duration (ms, or a string such as '250ms', '30s', '10m'), got ${describeDuration(value)}`,
    );
  }
  return ms;
}

function hasConnection(redis: RedisConnectionOptions | undefined): boolean {
  return Boolean(
    redis &&
    (redis.url ||
      redis.host ||
      redis.sentinels?.length ||
      redis.clusterNodes?.length),
  );
}

function checkPrefix(keyPrefix: unknown): string {
  if (
    typeof keyPrefix !== 'string' ||
    keyPrefix.length === 0 ||
    Buffer.byteLength(keyPrefix) > MAX_PREFIX_BYTES ||
    /[\s*?[\]{}\\]/.test(keyPrefix)
  ) {
    throw new CacheOptionsError(
      `keyPrefix must be a non-empty string of at most ${MAX_PREFIX_BYTES} bytes without whitespace, glob characters or braces (an empty prefix would let clear() reach other applications' keys), got ${JSON.stringify(keyPrefix)}`,
    );
  }
  return keyPrefix;
}

function checkClient(client: Redis | Cluster | undefined): void {
  if (client === undefined) return;
  const prefix = (client.options as { keyPrefix?: string } | undefined)
    ?.keyPrefix;
  if (prefix) {
    throw new CacheOptionsError(
      `client has a keyPrefix of its own (${JSON.stringify(prefix)}); remove it and set the module's keyPrefix instead`,
    );
  }
}

function checkHeaders(headers: unknown): readonly string[] {
  if (headers === undefined) return ['authorization', 'cookie', 'x-api-key'];
  if (
    !Array.isArray(headers) ||
    headers.some((h) => typeof h !== 'string' || !/^[\w-]+$/.test(h))
  ) {
    throw new CacheOptionsError(
      'credentialHeaders must be an array of header names',
    );
  }
  return (headers as string[]).map((h) => h.toLowerCase());
}

/** Applies defaults and validates, once, for both forRoot and forRootAsync. */
export function resolveOptions(
  options: LexikonCacheModuleOptions = {},
): ResolvedCacheOptions {
  const store =
    options.store ??
    (options.client || hasConnection(options.redis) ? 'redis' : 'memory');
  if (store !== 'redis' && store !== 'memory') {
    throw new CacheOptionsError(
      `store must be 'redis' or 'memory', got ${String(store)}`,
    );
  }
  const ttlJitter = options.ttlJitter ?? 0.05;
  if (typeof ttlJitter !== 'number' || !(ttlJitter >= 0 && ttlJitter < 1)) {
    throw new CacheOptionsError(
      `ttlJitter must be a number in [0, 1), got ${String(ttlJitter)}`,
    );
  }
  if (
    options.principal !== undefined &&
    typeof options.principal !== 'function'
  ) {
    throw new CacheOptionsError('principal must be a function of the request');
  }
  if (
    options.redis?.url !== undefined &&
    !/^rediss?:\/\//.test(options.redis.url)
  ) {
    throw new CacheOptionsError(
      'redis.url must start with redis:// or rediss://',
    );
  }
  checkClient(options.client);
  return {
    store,
    redis: options.redis ?? {},
    client: options.client,
    keyPrefix: checkPrefix(options.keyPrefix ?? DEFAULT_KEY_PREFIX),
    defaultTtlMs: durationOption('defaultTtl', options.defaultTtl, 3_600_000),
    grace: resolveGrace(
      options.grace,
      options.timeouts,
      NO_GRACE,
      (m) => new CacheOptionsError(m),
      options.staleWhileRevalidate,
      options.earlyRefresh,
    ),
    commandTimeoutMs: durationOption(
      'commandTimeout',
      options.commandTimeout,
      250,
    ),
    maxValueBytes: positiveInt(
      'maxValueBytes',
      options.maxValueBytes,
      1024 * 1024,
    ),
    ttlJitter,
    leaseTtlMs: durationOption('leaseTtl', options.leaseTtl, 5_000),
    lockWaitMs: durationOption('lockWait', options.lockWait, 5_000),
    breakerThreshold: positiveInt(
      'breakerThreshold',
      options.breakerThreshold,
      5,
    ),
    breakerCooldownMs: durationOption(
      'breakerCooldown',
      options.breakerCooldown,
      1_000,
    ),
    memoryMaxEntries: positiveInt(
      'memoryMaxEntries',
      options.memoryMaxEntries,
      100_000,
    ),
    memoryMaxBytes: positiveInt(
      'memoryMaxBytes',
      options.memoryMaxBytes,
      128 * 1024 * 1024,
    ),
    interceptor: options.interceptor ?? true,
    principal: options.principal,
    credentialHeaders: checkHeaders(options.credentialHeaders),
    connectWaitMs: durationOption('connectWait', options.connectWait, 2_000),
    l1: resolveL1(options.l1),
    compression: resolveCompression(options.compression),
    httpCompression: resolveHttpCompression(options.httpCompression),
    ...resolveEntryOptions(options),
  };
}
