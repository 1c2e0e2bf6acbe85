import { type DynamicModule, Module } from '@nestjs/common';
import { CacheModule } from '@nestjs/cache-manager';
import KeyvRedis from '@keyv/redis';
import { LexikonCacheModule } from '@lexikon/cache';
import type { BenchServerConfig } from './server-config.js';
import {
  BareTermsController,
  BenchCountersController,
  CacheManagerTermsController,
  LexikonPagesController,
  LexikonTaggedTermsController,
  LexikonTermsController,
  RawGetTermsController,
  RawRedis,
} from './terms.controllers.js';
import { BENCH_CONFIG, TermSource } from './term.source.js';

@Module({})
export class BenchAppModule {}

/**
 * The root module of a bench server: the shared data plus the variant's
 * caching (or, for variant 2, the API's TypeORM read path, imported only
 * there so that the other servers load nothing of it).
 */
export async function benchAppModule(
  config: BenchServerConfig,
): Promise<DynamicModule> {
  const providers = [{ provide: BENCH_CONFIG, useValue: config }, TermSource];
  const base = { module: BenchAppModule, providers };
  const counters = BenchCountersController;
  const ttl = config.ttlSeconds;
  const timeout =
    config.commandTimeoutMs === undefined
      ? {}
      : { commandTimeout: config.commandTimeoutMs };
  switch (config.variant) {
    case 'bare':
      return { ...base, controllers: [BareTermsController, counters] };
    case 'lexikon-redis':
      return {
        ...base,
        imports: [
          LexikonCacheModule.forRoot({
            redis: { url: config.redisUrl },
            keyPrefix: `bench:lx:${config.adapter}:`,
            defaultTtl: ttl * 1000,
            ...timeout,
          }),
        ],
        controllers: [LexikonTermsController, counters],
      };
    case 'lexikon-redis-tags':
      return {
        ...base,
        imports: [
          LexikonCacheModule.forRoot({
            redis: { url: config.redisUrl },
            keyPrefix: `bench:lxt:${config.adapter}:`,
            defaultTtl: ttl * 1000,
            ...timeout,
          }),
        ],
        controllers: [LexikonTaggedTermsController, counters],
      };
    case 'lexikon-l1':
      return {
        ...base,
        imports: [
          LexikonCacheModule.forRoot({
            redis: { url: config.redisUrl },
            keyPrefix: `bench:lxl1:${config.adapter}:`,
            defaultTtl: ttl * 1000,
            // the tier's own TTL as long as the entries': no refill from Redis during a run
            l1: { maxEntries: 10_000, ttl: ttl * 1000 },
            ...timeout,
          }),
        ],
        controllers: [LexikonTermsController, counters],
      };
    case 'lexikon-pages':
      return {
        ...base,
        imports: [
          LexikonCacheModule.forRoot({
            redis: { url: config.redisUrl },
            keyPrefix: `bench:pg:${config.httpGzip ? 'gz' : 'plain'}:${config.adapter}:`,
            defaultTtl: ttl * 1000,
            httpCompression: config.httpGzip === true,
            ...timeout,
          }),
        ],
        controllers: [LexikonPagesController, counters],
      };
    case 'lexikon-memory':
      return {
        ...base,
        imports: [
          LexikonCacheModule.forRoot({
            store: 'memory',
            defaultTtl: ttl * 1000,
          }),
        ],
        controllers: [LexikonTermsController, counters],
      };
    case 'nest-cache-manager':
      return {
        ...base,
        imports: [
          CacheModule.register({
            stores: [new KeyvRedis(config.redisUrl)],
            namespace: `bench-cm-${config.adapter}`,
            ttl: ttl * 1000,
          }),
        ],
        controllers: [CacheManagerTermsController, counters],
      };
    case 'raw-get':
      return {
        ...base,
        providers: [...providers, RawRedis],
        controllers: [RawGetTermsController, counters],
      };
    case 'typeorm': {
      const { typeormVariant } = await import('./typeorm-variant.js');
      const v = typeormVariant(config);
      return {
        ...base,
        imports: v.imports,
        providers: [...providers, ...v.providers],
        controllers: [...v.controllers, counters],
      };
    }
  }
}
