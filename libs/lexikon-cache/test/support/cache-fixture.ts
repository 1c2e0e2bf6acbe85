import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import type { CacheStore } from '../../src/core/store/cache-store.js';
import { CACHE_STORE } from '../../src/core/store/store-token.js';
import { testRedisUrl } from '../../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../../test/support/unique-prefix.js';

export type StoreKind = 'redis' | 'memory';

export interface CacheFixture {
  readonly module: TestingModule;
  readonly cache: CacheService;
  readonly store: CacheStore;
  readonly prefix: string;
  /** A plain client on the same Redis, to look behind the service's back. */
  readonly raw: Redis | undefined;
  close(): Promise<void>;
}

/** A Nest module with the cache on a prefix of its own (memory or the test Redis). */
export async function createCacheFixture(
  kind: StoreKind,
  label: string,
  options: LexikonCacheModuleOptions = {},
): Promise<CacheFixture> {
  const prefix = options.keyPrefix ?? uniquePrefix(label);
  const url = testRedisUrl();
  const module = await Test.createTestingModule({
    imports: [
      LexikonCacheModule.forRoot({
        ...(kind === 'redis' ? { redis: { url } } : { store: 'memory' }),
        ...options,
        keyPrefix: prefix,
        interceptor: false,
      }),
    ],
  }).compile();
  await module.init();
  const raw = kind === 'redis' ? new Redis(url) : undefined;
  return {
    module,
    cache: module.get(CacheService),
    store: module.get<CacheStore>(CACHE_STORE),
    prefix,
    raw,
    async close() {
      if (raw) {
        await deleteKeysWithPrefix(raw, prefix);
        raw.disconnect();
      }
      await module.close();
    },
  };
}
