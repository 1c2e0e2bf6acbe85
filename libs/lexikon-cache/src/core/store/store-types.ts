/** One command of an atomic batch, on a full key. */
export type StoreBatchOp =
  | { readonly op: 'get'; readonly key: string }
  | { readonly op: 'exists'; readonly key: string }
  | {
      readonly op: 'set';
      readonly key: string;
      readonly payload: string;
      readonly ttlMs: number;
    }
  | { readonly op: 'delete'; readonly key: string }
  | {
      readonly op: 'increment';
      readonly key: string;
      readonly by: number;
      readonly ttlMs: number;
    }
  | { readonly op: 'expire'; readonly key: string; readonly ttlMs: number };

/** `get` yields the payload or `undefined`; the others a number or boolean. */
export type StoreBatchReply =
  | { readonly ok: true; readonly value: string | number | boolean | undefined }
  | { readonly ok: false; readonly error: Error };

/**
 * What the store reports of itself; part of `CacheService.info()`.
 *
 * @example
 * const { mode, keys, hits, misses } = await cache.info();
 */
export interface CacheStoreInfo {
  readonly kind: 'redis' | 'memory';
  readonly mode: 'standalone' | 'sentinel' | 'cluster' | 'memory';
  readonly usedMemoryMb: number;
  readonly connectedClients: number;
  readonly totalCommandsProcessed: number;
  readonly keys: number;
  readonly hits: number;
  readonly misses: number;
  readonly uptimeSeconds: number;
  readonly version?: string;
  readonly clusterState?: string;
}

/**
 * What a health probe of the store found: it answered within the time, or
 * why not. `RedisHealthIndicator` reports it to Terminus.
 *
 * @example
 * const health: StoreHealth = { ok: false, message: 'timeout after 500 ms' };
 */
export type StoreHealth =
  | {
      readonly ok: true;
      /** Round trip of the PING (in a cluster, of the slowest master), in ms. */
      readonly responseTimeMs: number;
      /** Redis Cluster only: `cluster_state` from CLUSTER INFO. */
      readonly clusterState?: string;
      /** When asked for: bytes in use (in a cluster, on the fullest master). */
      readonly usedMemoryBytes?: number;
    }
  | { readonly ok: false; readonly message: string };

/**
 * What a health probe of the store is asked for: its time limit, and
 * whether to read the memory in use.
 *
 * @example
 * const options: StoreHealthOptions = { timeoutMs: 500, usedMemory: true };
 */
export interface StoreHealthOptions {
  /** Longest wait, in ms. */
  readonly timeoutMs: number;
  /** Also read how much memory the store uses. */
  readonly usedMemory?: boolean;
}
