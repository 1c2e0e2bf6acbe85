import type { LRUCache } from 'lru-cache';
import type {
  CacheStoreInfo,
  StoreHealth,
  StoreHealthOptions,
} from '../cache-store.js';
import type { Slot } from './memory-slot.js';

/** What the memory store reports of itself, in the shape `info()` gives for Redis. */
export function memoryInfo(
  slots: LRUCache<string, Slot>,
  hits: number,
  misses: number,
  startedAt: number,
): CacheStoreInfo {
  const bytes = slots.calculatedSize;
  return {
    kind: 'memory',
    mode: 'memory',
    usedMemoryMb: Math.round((bytes / (1024 * 1024)) * 100) / 100,
    connectedClients: 0,
    totalCommandsProcessed: hits + misses,
    keys: slots.size,
    hits,
    misses,
    uptimeSeconds: Math.floor((Date.now() - startedAt) / 1000),
  };
}

/** The memory store is always up; it reports its size when asked. */
export function memoryHealth(
  slots: LRUCache<string, Slot>,
  options: StoreHealthOptions,
): StoreHealth {
  return {
    ok: true,
    responseTimeMs: 0,
    ...(options.usedMemory && { usedMemoryBytes: slots.calculatedSize }),
  };
}
