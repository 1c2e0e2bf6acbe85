import type { Cluster, Redis } from 'ioredis';
import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import type {
  LexikonCacheModuleOptions,
  RedisConnectionOptions,
} from './cache-options.js';

/** Options with every default applied: the only shape the internals read. */
export interface ResolvedCacheOptions {
  readonly store: 'redis' | 'memory';
  readonly redis: RedisConnectionOptions;
  readonly client: Redis | Cluster | undefined;
  readonly keyPrefix: string;
  readonly defaultTtl: number;
  readonly commandTimeout: number;
  readonly maxValueBytes: number;
  readonly ttlJitter: number;
  readonly leaseTtl: number;
  readonly lockWait: number;
  readonly tagTtl: number;
  readonly breakerThreshold: number;
  readonly breakerCooldown: number;
  readonly memoryMaxEntries: number;
  readonly interceptor: boolean;
  readonly principal:
    ((request: unknown) => string | number | undefined | null) | undefined;
  readonly connectWait: number;
}

export const DEFAULT_KEY_PREFIX = 'lexikon:';
export const DEFAULT_TTL_SECONDS = 3600;

function positiveInt(
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new CacheOptionsError(
      `${name} must be a positive integer, got ${String(value)}`,
    );
  }
  return value;
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
  const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string' || /[\s*?[\]{}]/.test(keyPrefix)) {
    throw new CacheOptionsError(
      `keyPrefix must be a string without whitespace, glob characters or braces, got ${JSON.stringify(keyPrefix)}`,
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
  return {
    store,
    redis: options.redis ?? {},
    client: options.client,
    keyPrefix,
    defaultTtl: positiveInt(
      'defaultTtl',
      options.defaultTtl,
      DEFAULT_TTL_SECONDS,
    ),
    commandTimeout: positiveInt('commandTimeout', options.commandTimeout, 250),
    maxValueBytes: positiveInt(
      'maxValueBytes',
      options.maxValueBytes,
      1024 * 1024,
    ),
    ttlJitter,
    leaseTtl: positiveInt('leaseTtl', options.leaseTtl, 10_000),
    lockWait: positiveInt('lockWait', options.lockWait, 5_000),
    tagTtl: positiveInt('tagTtl', options.tagTtl, 30 * 24 * 3600),
    breakerThreshold: positiveInt(
      'breakerThreshold',
      options.breakerThreshold,
      5,
    ),
    breakerCooldown: positiveInt(
      'breakerCooldown',
      options.breakerCooldown,
      1_000,
    ),
    memoryMaxEntries: positiveInt(
      'memoryMaxEntries',
      options.memoryMaxEntries,
      100_000,
    ),
    interceptor: options.interceptor ?? true,
    principal: options.principal,
    connectWait: options.connectWait ?? 2_000,
  };
}
