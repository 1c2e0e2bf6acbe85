import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';

/**
 * A Nest application context holding only LexikonCacheModule on the bench
 * Redis, for the figures that use CacheService directly. The longer
 * commandTimeout keeps big batched writes (1,000 entries a call) from timing
 * out; it changes no measured path.
 */
export async function openCacheContext(
  redisUrl: string,
  keyPrefix: string,
  compression?: LexikonCacheModuleOptions['compression'],
): Promise<{ cache: CacheService; close(): Promise<void> }> {
  const app: INestApplicationContext =
    await NestFactory.createApplicationContext(
      LexikonCacheModule.forRoot({
        redis: { url: redisUrl },
        keyPrefix,
        interceptor: false,
        commandTimeout: 10_000,
        ...(compression === undefined ? {} : { compression }),
      }),
      { logger: ['error', 'warn'], abortOnError: false },
    );
  return { cache: app.get(CacheService), close: () => app.close() };
}
