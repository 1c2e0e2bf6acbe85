import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Logger,
  Module,
  type NestInterceptor,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { CacheMetadataAccessor } from './decorators/cache-metadata.accessor.js';
import { CacheExplorer } from './explorer/cache.explorer.js';
import { CacheInterceptor } from './interceptor/cache.interceptor.js';
import { RoutePlanRegistry } from './routes/route-plan.registry.js';
import { CacheEngine } from '../core/engine/cache-engine.js';
import { RESOLVED_CACHE_OPTIONS } from './lexikon-cache.constants.js';
import {
  ConfigurableLexikonCacheModule,
  LEXIKON_CACHE_MODULE_OPTIONS,
} from './lexikon-cache.module-definition.js';
import type { LexikonCacheModuleOptions } from '../core/options/cache-options.js';
import {
  resolveOptions,
  type ResolvedCacheOptions,
} from '../core/options/resolve-options.js';
import { CacheService } from './cache.service.js';
import { CacheStore } from '../core/store/cache-store.js';
import { createStore, type StoreHandle } from '../core/store/create-store.js';

const STORE_HANDLE = Symbol('lexikon-cache:store-handle');

/**
 * A Redis cache for Nest applications: `CacheService`, the `@Cacheable` /
 * `@CacheInvalidate` / `@CachePut` decorators (on controllers and on any
 * provider), and fail-open behaviour when Redis is slow or down.
 *
 * @example
 * LexikonCacheModule.forRoot({ redis: { url: 'redis://127.0.0.1:6379' }, defaultTtl: 600 })
 * LexikonCacheModule.forRootAsync({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ redis: { url: config.get('REDIS_URL') } }),
 * })
 */
const PASS_THROUGH: NestInterceptor = {
  intercept: (_context: ExecutionContext, next: CallHandler) => next.handle(),
};

@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: RESOLVED_CACHE_OPTIONS,
      inject: [LEXIKON_CACHE_MODULE_OPTIONS],
      useFactory: (options: LexikonCacheModuleOptions) =>
        resolveOptions(options),
    },
    {
      provide: STORE_HANDLE,
      inject: [RESOLVED_CACHE_OPTIONS],
      useFactory: (options: ResolvedCacheOptions) =>
        createStore(options, new Logger('LexikonCache')),
    },
    {
      provide: CacheStore,
      inject: [STORE_HANDLE],
      useFactory: (handle: StoreHandle) => handle.store,
    },
    {
      provide: CacheEngine,
      inject: [CacheStore, RESOLVED_CACHE_OPTIONS],
      useFactory: (store: CacheStore, options: ResolvedCacheOptions) =>
        new CacheEngine(store, options, new Logger('LexikonCache')),
    },
    CacheService,
    CacheMetadataAccessor,
    RoutePlanRegistry,
    CacheExplorer,
    CacheInterceptor,
    {
      // registered always, so that `interceptor: false` can also come from forRootAsync
      provide: APP_INTERCEPTOR,
      inject: [RESOLVED_CACHE_OPTIONS, CacheInterceptor],
      useFactory: (
        options: ResolvedCacheOptions,
        interceptor: CacheInterceptor,
      ) => (options.interceptor ? interceptor : PASS_THROUGH),
    },
  ],
  exports: [
    CacheService,
    CacheStore,
    CacheEngine,
    CacheInterceptor,
    RESOLVED_CACHE_OPTIONS,
  ],
})
export class LexikonCacheModule
  extends ConfigurableLexikonCacheModule
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('LexikonCache');

  constructor(
    @Inject(STORE_HANDLE) private readonly handle: StoreHandle,
    private readonly engine: CacheEngine,
    @Inject(RESOLVED_CACHE_OPTIONS)
    private readonly options: ResolvedCacheOptions,
  ) {
    super();
  }

  async onModuleInit(): Promise<void> {
    this.logger.log(`Cache: ${this.handle.description}`);
    const ready = await this.handle.store.waitUntilReady(
      this.options.connectWait,
    );
    if (!ready) {
      this.logger.warn(
        `Cache store not reachable after ${this.options.connectWait} ms; serving without it until it is`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.engine.close();
    await this.handle.store.close({ keepConnection: !this.handle.owned });
  }
}
