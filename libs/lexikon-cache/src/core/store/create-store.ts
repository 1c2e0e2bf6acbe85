import type { CacheLogger } from '../logger.js';
import type { ResolvedCacheOptions } from '../options/resolve-options.js';
import type { CacheStore } from './cache-store.js';
import { MemoryCacheStore } from './memory/memory-cache.store.js';
import { RedisCacheStore } from './redis/redis-cache.store.js';
import { createRedisClient } from './redis/redis-connection.js';

export interface StoreHandle {
  readonly store: CacheStore;
  /** Whether the module created the connection, and so must close it. */
  readonly owned: boolean;
  readonly description: string;
}

export function createStore(
  options: ResolvedCacheOptions,
  logger: CacheLogger,
): StoreHandle {
  const onCorrupt = (key: string): void =>
    logger.warn(`Dropped a corrupt cache entry (${key.length} byte key)`);
  if (options.store === 'memory') {
    return {
      store: new MemoryCacheStore(
        options.memoryMaxEntries,
        options.tagTtl * 1000,
      ),
      owned: true,
      description: `in-process memory store (up to ${options.memoryMaxEntries} entries; no Redis configured)`,
    };
  }
  if (options.client) {
    const client = options.client;
    const mode = client.isCluster ? 'cluster' : 'standalone';
    return {
      store: new RedisCacheStore(client, mode, options.tagTtl, onCorrupt),
      owned: false,
      description: `Redis (${mode}, client provided by the application)`,
    };
  }
  const created = createRedisClient(options);
  return {
    store: new RedisCacheStore(
      created.client,
      created.mode,
      options.tagTtl,
      onCorrupt,
    ),
    owned: true,
    description: `Redis ${created.description} (${created.mode})`,
  };
}
