import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { LexikonCacheModuleOptions } from '../core/options/cache-options.js';

export const {
  ConfigurableModuleClass: ConfigurableLexikonCacheModule,
  MODULE_OPTIONS_TOKEN: LEXIKON_CACHE_MODULE_OPTIONS,
  OPTIONS_TYPE: LEXIKON_CACHE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: LEXIKON_CACHE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<LexikonCacheModuleOptions>({
  moduleName: 'LexikonCache',
})
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/**
 * Options of `LexikonCacheModule.forRootAsync()`: `useFactory` / `useClass` /
 * `useExisting`, `inject`, `imports`, `isGlobal`.
 *
 * @example
 * LexikonCacheModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ redis: { url: config.getOrThrow('REDIS_URL') } }),
 * })
 */
export type LexikonCacheModuleAsyncOptions =
  typeof LEXIKON_CACHE_ASYNC_OPTIONS_TYPE;
