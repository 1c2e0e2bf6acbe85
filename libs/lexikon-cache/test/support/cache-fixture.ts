import { Test, type TestingModule } from '@nestjs/testing';
import type { Cluster, Redis } from 'ioredis';
import {
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import type { CacheStore } from '../../src/core/store/cache-store.js';
import { CACHE_STORE } from '../../src/core/store/store-token.js';
import { rawClient, targetOptions, type StoreTarget } from './store-fixture.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../../test/support/unique-prefix.js';

/** Where the service's store is: process memory, one Redis, or the file's shared 6-node cluster. */
export type StoreKind = StoreTarget;

export interface CacheFixture {
  readonly module: TestingModule;
  readonly cache: CacheService;
  readonly store: CacheStore;
  readonly prefix: string;
  /** A plain client on the same Redis, to look behind the service's back. */
  readonly raw: Redis | Cluster | undefined;
  close(): Promise<void>;
}

/**
 * A Nest module with the cache on a prefix of its own (memory, the test
 * Redis, or the cluster: stop that with `stopSharedCluster()` in afterAll).
 */
export async function createCacheFixture(
  kind: StoreKind,
  label: string,
  options: LexikonCacheModuleOptions = {},
): Promise<CacheFixture> {
  const prefix = options.keyPrefix ?? uniquePrefix(label);
  const module = await Test.createTestingModule({
    imports: [
      LexikonCacheModule.forRoot({
        ...(await targetOptions(kind)),
        ...options,
        keyPrefix: prefix,
        interceptor: false,
      }),
    ],
  }).compile();
  await module.init();
  const raw = await rawClient(kind);
  // a cluster client closed before its slots are known rejects its pending refresh
  await raw?.ping();
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
