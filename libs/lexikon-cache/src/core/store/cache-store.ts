/** What a read returns when there is no usable entry. */
export interface ReadMiss {
  /** Token of the lease granted to this caller: it alone may fill the entry. */
  readonly lease?: string;
  /** Token of another caller's lease still loading this entry. */
  readonly holder?: string;
  /** Current versions of the tags asked for (given with a lease or a holder). */
  readonly versions: readonly string[];
}

/** A cached payload (hit), or why there is none. */
export type ReadOutcome = string | ReadMiss;

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

/** What a health probe found: the store answered within the time, or why not. */
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

export interface StoreHealthOptions {
  /** Longest wait, in ms. */
  readonly timeoutMs: number;
  /** Also read how much memory the store uses. */
  readonly usedMemory?: boolean;
}

/**
 * The storage behind `CacheService`: Redis or process memory, with the same
 * semantics. Keys given here are full keys (prefix included); payloads are
 * already encoded. Every method may reject on an infrastructure fault; the
 * service decides how to fail open.
 *
 * Entries are stamped with the versions of their tags; a read whose stamp is
 * outdated is a miss. A miss may hand out a lease: only its holder can fill
 * the entry, and deleting the key revokes it, so a loader that read old data
 * before a write can never install it after that write's invalidation.
 */
export abstract class CacheStore {
  abstract readonly kind: 'redis' | 'memory';
  abstract readonly mode: CacheStoreInfo['mode'];

  /** Reads an entry; with `leaseMs > 0`, a miss takes a lease for that long. */
  abstract read(
    key: string,
    tagKeys: readonly string[],
    leaseMs: number,
    plainFirst?: boolean,
  ): Promise<ReadOutcome>;

  /**
   * The payload of a fresh entry, answered synchronously, by stores that
   * need no I/O for it (the memory store); undefined on a miss.
   */
  peekNow?(key: string, tagKeys: readonly string[]): string | undefined;

  /** Stores `payload` only while `lease` is held and the tags still carry `versions`. */
  abstract fill(
    key: string,
    tagKeys: readonly string[],
    lease: string,
    versions: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean>;

  /** Gives a lease back (the loader failed) so that the next caller loads at once. */
  abstract release(key: string, lease: string): Promise<void>;

  /** Stores unconditionally, stamped with the tags' current versions. */
  abstract write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void>;

  abstract readMany(keys: readonly string[]): Promise<(string | undefined)[]>;

  abstract writeMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void>;

  /** Deletes entries (and revokes their leases); resolves to how many existed. */
  abstract delete(keys: readonly string[]): Promise<number>;

  /** Gives each tag a new version, in O(1) whatever number of entries carry it. */
  abstract bumpTags(tagKeys: readonly string[]): Promise<void>;

  /** Deletes every key matching a SCAN glob; resolves to how many were deleted. */
  abstract deleteMatching(glob: string): Promise<number>;

  /** Atomically adds `by`; the TTL is set when the counter is created. */
  abstract increment(key: string, by: number, ttlMs: number): Promise<number>;

  /** Runs every op atomically; each reply stands at its op's position. */
  abstract batch(ops: readonly StoreBatchOp[]): Promise<StoreBatchReply[]>;

  abstract ping(): Promise<void>;

  abstract info(): Promise<CacheStoreInfo>;

  /**
   * Probes the store over its existing connection, within `timeoutMs`. Never
   * rejects: a fault, a timeout or a closed connection is `ok: false`.
   */
  abstract health(options: StoreHealthOptions): Promise<StoreHealth>;

  /** Resolves once the store can serve, or after `timeoutMs`: false then. */
  abstract waitUntilReady(timeoutMs: number): Promise<boolean>;

  /**
   * Releases the store. With `keepConnection`, a connection the application
   * provided stays open: only the store's own listeners are removed.
   */
  abstract close(options?: { keepConnection?: boolean }): Promise<void>;
}
