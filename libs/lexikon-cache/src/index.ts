export { LexikonCacheModule } from './lexikon-cache.module.js';
export type {
  LexikonCacheModuleOptions,
  RedisConnectionOptions,
} from './options/lexikon-cache-options.interface.js';
export { CacheService } from './store/cache.service.js';
export type {
  CacheSetOptions,
  CacheGetOrSetOptions,
  CacheInfo,
} from './store/cache.service.js';
export { CacheBatch } from './store/cache-batch.js';
export type { BatchOutcome, BatchResults } from './store/cache-batch.js';
export { CacheStore } from './store/cache-store.js';
export type {
  CacheStoreInfo,
  StoreHealth,
  StoreHealthOptions,
} from './store/cache-store.js';
export type { CacheStatsSnapshot } from './engine/cache-stats.js';
export {
  LexikonCacheError,
  CacheOptionsError,
  InvalidTtlError,
  InvalidKeyError,
  UnencodableValueError,
  CacheWrongTypeError,
  CrossSlotBatchError,
  CacheTemplateError,
  CacheDecorationError,
  CacheUnavailableError,
} from './errors/lexikon-cache.error.js';
export type { LexikonCacheErrorCode } from './errors/lexikon-cache.error.js';
export { Cacheable } from './decorators/cacheable.decorator.js';
export { CacheInvalidate } from './decorators/cache-invalidate.decorator.js';
export { CachePut } from './decorators/cache-put.decorator.js';
export type {
  CacheableOptions,
  CacheInvalidateOptions,
  CachePutOptions,
  CacheCallContext,
  CacheTemplate,
} from './decorators/cache-options.interface.js';
export { CacheInterceptor } from './interceptor/cache.interceptor.js';
export { RedisHealthIndicator } from './health/redis.health.js';
export type {
  RedisHealthOptions,
  RedisHealthDetails,
} from './health/redis.health.js';
