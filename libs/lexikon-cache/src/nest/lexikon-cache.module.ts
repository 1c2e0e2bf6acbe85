import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Logger,
  type MiddlewareConsumer,
  Module,
  type NestInterceptor,
  type NestModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import {
  APP_INTERCEPTOR,
  ApplicationConfig,
  DiscoveryModule,
  HttpAdapterHost,
} from '@nestjs/core';
import { CacheEngine } from '../core/engine/cache-engine.js';
import type { LexikonCacheModuleOptions } from '../core/options/cache-options.js';
import {
  resolveOptions,
  type ResolvedCacheOptions,
} from '../core/options/resolve-options.js';
import { createStore, type StoreHandle } from '../core/store/create-store.js';
import { CACHE_STORE } from '../core/store/store-token.js';
import { CacheService } from './cache.service.js';
import {
  CACHE_OBSERVERS,
  loadObservers,
  type LoadedObservers,
} from './cache-observers.js';
import { CacheMetadataAccessor } from './decorators/cache-metadata.accessor.js';
import { CacheExplorer } from './explorer/cache.explorer.js';
import { CacheInterceptor } from './interceptor/cache.interceptor.js';
import { addNotModifiedHook } from './interceptor/fastify-not-modified.js';
import { RESOLVED_CACHE_OPTIONS } from './lexikon-cache.constants.js';
import {
  ConfigurableLexikonCacheModule,
  LEXIKON_CACHE_MODULE_OPTIONS,
} from './lexikon-cache.module-definition.js';
import { RoutePlanRegistry } from './routes/route-plan.registry.js';

const STORE_HANDLE = Symbol('lexikon-cache:store-handle');

const PASS_THROUGH: NestInterceptor = {
  intercept: (_context: ExecutionContext, next: CallHandler) => next.handle(),
};

/**
 * A Redis cache for Nest applications: `CacheService`, the `@Cacheable` /
 * `@CacheInvalidate` / `@CachePut` decorators (on controllers and on any
 * provider), and fail-open behaviour when Redis is slow or down. Global by
 * default; without a Redis connection it uses an in-process memory store.
 *
 * @example
 * LexikonCacheModule.forRoot({ redis: { url: 'redis://127.0.0.1:6379' }, defaultTtl: '10m' })
 * LexikonCacheModule.forRootAsync({
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ redis: { url: config.get('REDIS_URL') } }),
 * })
 */
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
      provide: CACHE_OBSERVERS,
      inject: [LEXIKON_CACHE_MODULE_OPTIONS],
      useFactory: (options: LexikonCacheModuleOptions) =>
        loadObservers(options, new Logger('LexikonCache')),
    },
    {
      provide: STORE_HANDLE,
      // after the observers: a missing optional peer fails start-up before a connection opens
      inject: [RESOLVED_CACHE_OPTIONS, CACHE_OBSERVERS],
      useFactory: (options: ResolvedCacheOptions) =>
        createStore(options, new Logger('LexikonCache')),
    },
    {
      provide: CACHE_STORE,
      inject: [STORE_HANDLE],
      useFactory: (handle: StoreHandle) => handle.store,
    },
    {
      provide: CacheEngine,
      inject: [STORE_HANDLE, RESOLVED_CACHE_OPTIONS, CACHE_OBSERVERS],
      useFactory: (
        handle: StoreHandle,
        options: ResolvedCacheOptions,
        observers: LoadedObservers,
      ) => {
        const engine = new CacheEngine(
          handle.store,
          options,
          new Logger('LexikonCache'),
          handle.client,
          observers,
        );
        observers.metrics?.watchL1(() => engine.tier?.l1.size);
        return engine;
      },
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
  exports: [CacheService, CACHE_STORE, CacheEngine, RESOLVED_CACHE_OPTIONS],
})
export class LexikonCacheModule
  extends ConfigurableLexikonCacheModule
  implements NestModule, OnModuleInit, OnApplicationShutdown
{
  private readonly logger = new Logger('LexikonCache');

  constructor(
    @Inject(STORE_HANDLE) private readonly handle: StoreHandle,
    private readonly engine: CacheEngine,
    @Inject(RESOLVED_CACHE_OPTIONS)
    private readonly options: ResolvedCacheOptions,
    private readonly config: ApplicationConfig,
    private readonly interceptor: CacheInterceptor,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CACHE_OBSERVERS) private readonly observers: LoadedObservers,
  ) {
    super();
  }

  /**
   * Runs after every global enhancer is known and before routes are built:
   * the cache interceptor goes first (outermost), so it stores and serves
   * what all the others made of a result; on Fastify, a hook answers 304s.
   */
  configure(_consumer: MiddlewareConsumer): void {
    if (!this.options.interceptor) return;
    const list = this.config.getGlobalInterceptors();
    const at = list.indexOf(this.interceptor);
    if (at > 0) {
      list.splice(at, 1);
      list.unshift(this.interceptor);
    }
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'fastify') {
      addNotModifiedHook(adapter.getInstance());
    }
  }

  async onModuleInit(): Promise<void> {
    this.logger.log(
      `Cache: ${this.handle.description}${this.engine.tier ? ', with an in-process tier' : ''}`,
    );
    this.engine.start();
    const ready = await this.handle.store.waitUntilReady(
      this.options.connectWaitMs,
    );
    if (!ready) {
      this.logger.warn(
        `Cache store not reachable after ${this.options.connectWaitMs} ms; serving without it until it is`,
      );
      return;
    }
    // the first check of the Redis run (and a clear, if it restarted unseen)
    await this.engine.restarts?.whenTrusted(this.options.connectWaitMs);
  }

  async onApplicationShutdown(): Promise<void> {
    this.observers.metrics?.close();
    await this.engine.close();
    await this.handle.store.close({ keepConnection: !this.handle.owned });
  }
}
