import { Cluster, Redis } from 'ioredis';
import { fullKey, fullTagKey } from '../../src/core/keys/cache-keys.js';
import type { CacheLogger } from '../../src/core/logger.js';
import {
  resolveOptions,
  type ResolvedCacheOptions,
} from '../../src/core/options/resolve-options.js';
import type { CacheStore } from '../../src/core/store/cache-store.js';
import { createStore } from '../../src/core/store/create-store.js';
import type { LexikonCacheModuleOptions } from '@lexikon/cache';
import { testRedisUrl } from '../../../../test/support/services.js';
import {
  RedisClusterProcess,
  stopAllRedisClusters,
} from '../../../../test/support/redis-cluster.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../../test/support/unique-prefix.js';

/** Where a store-level suite runs: process memory, one Redis, or a real 6-node cluster. */
export type StoreTarget = 'memory' | 'redis' | 'cluster';

export const STORE_TARGETS: readonly StoreTarget[] = [
  'memory',
  'redis',
  'cluster',
];

export const quietLogger: CacheLogger = {
  log: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  error: () => undefined,
};

let cluster: Promise<RedisClusterProcess> | undefined;

/** One cluster per test file, started on first use; stop it with `stopSharedCluster()`. */
export function sharedCluster(): Promise<RedisClusterProcess> {
  cluster ??= RedisClusterProcess.start();
  return cluster;
}

export async function stopSharedCluster(): Promise<void> {
  if (cluster) await stopAllRedisClusters();
  cluster = undefined;
}

/** Module options that reach `target`, for fixtures that build a Nest module. */
export async function targetOptions(
  target: StoreTarget,
): Promise<LexikonCacheModuleOptions> {
  if (target === 'memory') return { store: 'memory' };
  if (target === 'redis') return { redis: { url: testRedisUrl() } };
  return { redis: { clusterNodes: (await sharedCluster()).nodes } };
}

/** A raw client on the target's Redis, to look behind the store's back. */
export async function rawClient(
  target: StoreTarget,
): Promise<Redis | Cluster | undefined> {
  if (target === 'memory') return undefined;
  if (target === 'redis') return new Redis(testRedisUrl());
  return new Cluster((await sharedCluster()).nodes);
}

export interface StoreFixture {
  readonly store: CacheStore;
  readonly options: ResolvedCacheOptions;
  readonly raw: Redis | Cluster | undefined;
  readonly key: (k: string) => string;
  readonly tag: (t: string) => string;
  close(): Promise<void>;
}

/** A bare store (no engine, no Nest) on a prefix of its own. */
export async function createStoreFixture(
  target: StoreTarget,
  label: string,
  extra: LexikonCacheModuleOptions = {},
): Promise<StoreFixture> {
  const prefix = uniquePrefix(label);
  const options = resolveOptions({
    ...(await targetOptions(target)),
    ...extra,
    keyPrefix: prefix,
  });
  const handle = createStore(options, quietLogger);
  await handle.store.waitUntilReady(5_000);
  const raw = await rawClient(target);
  return {
    store: handle.store,
    options,
    raw,
    key: (k) => fullKey(prefix, k),
    tag: (t) => fullTagKey(prefix, t),
    async close() {
      if (raw) {
        await deleteKeysWithPrefix(raw, prefix);
        raw.disconnect();
      }
      await handle.store.close();
    },
  };
}
