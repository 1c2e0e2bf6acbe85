export { LexikonCacheModule } from './nest/lexikon-cache.module.js';
export type { LexikonCacheModuleAsyncOptions } from './nest/lexikon-cache.module-definition.js';
export type {
  LexikonCacheModuleOptions,
  RedisConnectionOptions,
} from './core/options/cache-options.js';
export type { Duration, DurationUnit } from './core/time/duration.js';
export type {
  EarlyRefresh,
  LoaderTimeouts,
} from './core/options/grace-options.js';
export { CacheService } from './nest/cache.service.js';
export type {
  CompressionOptions,
  HttpCompressionOptions,
} from './core/options/resolve-compression.js';
export { trainDictionary } from './core/codec/train-dictionary.js';
export type {
  CacheEntryOptions,
  CacheSetOptions,
  CacheGetOrSetOptions,
  CacheInfo,
  CacheInvalidateTagsOptions,
} from './nest/cache-service.types.js';
export type {
  CacheBatch,
  BatchOutcome,
  BatchResults,
} from './nest/cache-batch.js';
export type {
  CacheStoreInfo,
  StoreHealth,
  StoreHealthOptions,
} from './core/store/store-types.js';
export type { CacheStatsSnapshot } from './core/engine/cache-stats.js';
export type { CacheStatistics } from './nest/cache-service.types.js';
export type { CacheNamespaceStatistics } from './core/metrics/namespace-stats.js';
export type {
  CacheTierLabel,
  CacheRequestResult,
  InvalidationKind,
} from './core/metrics/cache-metrics.js';
export type {
  CacheMetricsOptions,
  PrometheusRegistry,
} from './core/metrics/observability-options.js';
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
  SensitiveValueError,
  LoaderTimeoutError,
} from './core/errors/lexikon-cache.error.js';
export { DEFAULT_SENSITIVE_FIELDS } from './core/options/resolve-entry-options.js';
export type { LexikonCacheErrorCode } from './core/errors/lexikon-cache.error.js';
export { Cacheable } from './nest/decorators/cacheable.decorator.js';
export { CacheInvalidate } from './nest/decorators/cache-invalidate.decorator.js';
export { CachePut } from './nest/decorators/cache-put.decorator.js';
export type {
  CacheableOptions,
  CacheInvalidateOptions,
  CachePutOptions,
  CacheCallContext,
  CacheTemplate,
  InvalidationTargetsOf,
} from './declarative/cache-options.types.js';
