import type { Cluster, Redis } from 'ioredis';
import {
  dictionaryKeyPrefix,
  sequenceKey,
  tierStateKey,
} from '../keys/cache-keys.js';
import type { CacheLogger } from '../logger.js';
import type { ResolvedCacheOptions } from '../options/resolve-options.js';
import type { CacheStore } from './cache-store.js';
import { CompressingStore } from './compress/compressing-store.js';
import { redisDictionaries } from './compress/redis-dictionaries.js';
import { PayloadCompression } from './compress/payload-compression.js';
import { MemoryCacheStore } from './memory/memory-cache.store.js';
import { RedisClusterStore } from './redis/redis-cluster.store.js';
import { createRedisClient } from './redis/redis-connection.js';
import { RedisStandaloneStore } from './redis/redis-standalone.store.js';
import type { RedisMode } from './redis/redis-store-base.js';

export interface StoreHandle {
  readonly store: CacheStore;
  /** Whether the module created the connection, and so must close it. */
  readonly owned: boolean;
  readonly description: string;
  /** The Redis connection behind the store, for the in-process tier (none for the memory store). */
  readonly client?: Redis | Cluster;
}

function redisStore(
  client: Redis | Cluster,
  mode: RedisMode,
  options: ResolvedCacheOptions,
  logger: CacheLogger,
): CacheStore {
  const settings = {
    sequenceKey: sequenceKey(options.keyPrefix),
    commandTimeoutMs: options.commandTimeoutMs,
    // deleting the tier's state would make every writer wait out a lease
    sparePrefixes: [
      tierStateKey(options.keyPrefix),
      // entries still name them after a clear(): they go with the keyspace only
      dictionaryKeyPrefix(options.keyPrefix),
    ],
    onCorrupt: (key: string) =>
      logger.warn(`Dropped a corrupt cache entry (${key.length} byte key)`),
  };
  const store =
    mode === 'cluster'
      ? new RedisClusterStore(client as Cluster, settings)
      : new RedisStandaloneStore(client as Redis, mode, settings);
  const codec = new PayloadCompression(
    options.keyPrefix,
    options.compression,
    redisDictionaries(client),
  );
  return new CompressingStore(store, codec);
}

export function createStore(
  options: ResolvedCacheOptions,
  logger: CacheLogger,
): StoreHandle {
  if (options.store === 'memory') {
    return {
      store: new MemoryCacheStore({
        maxEntries: options.memoryMaxEntries,
        maxBytes: options.memoryMaxBytes,
      }),
      owned: true,
      description: `in-process memory store (up to ${options.memoryMaxEntries} entries, ${Math.round(options.memoryMaxBytes / 1048576)} MiB; no Redis configured)`,
    };
  }
  if (options.client) {
    const client = options.client;
    const mode = client.isCluster ? 'cluster' : 'standalone';
    return {
      store: redisStore(client, mode, options, logger),
      owned: false,
      description: `Redis (${mode}, client provided by the application)`,
      client,
    };
  }
  const created = createRedisClient(options);
  return {
    store: redisStore(created.client, created.mode, options, logger),
    owned: true,
    description: `Redis ${created.description} (${created.mode})`,
    client: created.client,
  };
}
