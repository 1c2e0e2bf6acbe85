import type {
  CacheStoreInfo,
  StoreBatchOp,
  StoreBatchReply,
  StoreHealth,
  StoreHealthOptions,
} from './store-types.js';

export type * from './store-types.js';

/** A lease a reader asks for on a miss: the token it proposes, and for how long. */
export interface LeaseRequest {
  readonly token: string;
  readonly ms: number;
}

/** A lease a reader holds: only it may fill the entry, and only while nothing it covers moved. */
export interface Lease {
  readonly token: string;
  /** Versions of the entry's tags when the lease was taken; the fill is stamped with them. */
  readonly versions: readonly string[];
  /**
   * The tag sequence when the lease was taken. A tag learnt only from the
   * loaded value refuses the fill when it was bumped after this.
   */
  readonly since: string;
}

/**
 * An entry past its TTL but within its grace period, tags current when read,
 * or one behind soft invalidations of its tags only (its TTL then counts as
 * over): servable only if its reload fails, once the store confirmed it
 * still may be.
 */
export interface OutlivedEntry {
  readonly payload: string;
  /** Its time left in the store when read (at most the grace period). */
  readonly ttlMs: number;
}

/** What a read returns when there is no usable entry. */
export interface ReadMiss {
  /** The lease this reader now holds (the token it proposed). */
  readonly lease?: Lease;
  /** The token of another reader's lease, still loading this entry. */
  readonly holder?: string;
  /**
   * With `holder`: the payload of the entry its lease keeps, when that
   * entry carries exactly the tags read, at the versions the lease checked.
   */
  readonly kept?: string;
  /** With a grace period: the entry had outlived its TTL (a lease keeps it). */
  readonly outlived?: OutlivedEntry;
}

/** A hit with what the in-process tier needs to keep it: its tags and its time left. */
export interface DetailedHit {
  readonly payload: string;
  readonly tagKeys: readonly string[];
  readonly ttlMs: number;
}

/** A cached payload (hit; detailed when asked), or why there is none. */
export type ReadOutcome = string | DetailedHit | ReadMiss;

export function isDetailedHit(o: ReadOutcome): o is DetailedHit {
  return typeof o === 'object' && 'payload' in o;
}

/** A miss that took the lease: its reader loads and fills. */
export function isLeasedMiss(o: ReadOutcome): o is ReadMiss & { lease: Lease } {
  return typeof o === 'object' && 'lease' in o && o.lease !== undefined;
}

/**
 * The storage port: Redis (standalone, Sentinel, Cluster) or process memory,
 * with one semantics, checked by one contract suite for every store. Keys
 * are full keys (prefix included); payloads are already encoded. A method
 * may reject on an infrastructure fault; the fail-open store decides what a
 * fault means for the caller.
 *
 * Tag versions come from one sequence owned by one place (the tags' Redis
 * node): a bump gives a tag the next number, a tag that is missing (never
 * seen, expired or evicted) takes the current one. So a missing tag never
 * looks older than a lease taken before it vanished, and no decision
 * compares the clocks of two machines.
 *
 * Not part of the package's API (the entries do not export it); its
 * declaration stays in the `.d.ts` because public signatures mention it.
 */
export interface CacheStore {
  readonly kind: 'redis' | 'memory';
  readonly mode: CacheStoreInfo['mode'];

  /**
   * Reads an entry, stamped tags checked. With `lease`, a miss takes a lease
   * under the proposed token (or names another reader's). With `detail`, an
   * entry's hit is a `DetailedHit` (counters stay bare payloads). With
   * `graceMs`, an entry with at most that long left has outlived its TTL,
   * and so has one behind soft invalidations of its tags: a miss that names
   * it, whose lease keeps it in the store.
   */
  read(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    plainFirst?: boolean,
    detail?: boolean,
    graceMs?: number,
  ): Promise<ReadOutcome>;

  /**
   * Whether the outlived entry that `token`'s lease keeps may still be
   * served: the lease is held (no delete reached the key) and the entry's
   * tags are current, or behind soft invalidations only. With `putBackMs` > 0 the entry is then put back in the
   * lease's place for that long (the lease is given up either way).
   */
  keptEntry(key: string, token: string, putBackMs: number): Promise<boolean>;

  /** The payload of a fresh entry, answered synchronously by stores that need no I/O for it. */
  peekNow?(
    key: string,
    tagKeys: readonly string[],
    graceMs?: number,
  ): string | undefined;

  /**
   * Stores `payload` only while `lease` is held, its tags still carry the
   * lease's versions, and no tag of `lateTagKeys` was bumped since the
   * lease. A refused fill gives the lease back. Resolves to whether it stored.
   */
  fill(
    key: string,
    lease: Lease,
    tagKeys: readonly string[],
    lateTagKeys: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean>;

  /** Gives a lease back, so that the next reader loads at once. */
  release(key: string, token: string): Promise<void>;

  /** Keeps a lease alive for `ms` more while its loader runs; false when it is gone. */
  extendLease(key: string, token: string, ms: number): Promise<boolean>;

  /** Stores unconditionally (revoking any lease), stamped with the tags' current versions. */
  write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void>;

  /** Payloads of fresh entries (counters read as their number), undefined for the rest. */
  readMany(keys: readonly string[]): Promise<(string | undefined)[]>;

  writeMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void>;

  /** Deletes entries (revoking their leases); resolves to how many existed. */
  delete(keys: readonly string[]): Promise<number>;

  /**
   * Gives each tag a new version, in O(1) whatever number of entries carry
   * it. Those also in `softTagKeys` are bumped softly: entries stamped
   * before stay readable, as outlived (servable within their grace only),
   * until a hard bump.
   */
  bumpTags(
    tagKeys: readonly string[],
    softTagKeys?: readonly string[],
  ): Promise<void>;

  /**
   * Deletes every key matching a SCAN glob; resolves to how many were
   * deleted. `progress`, when given, is told after each round trip.
   */
  deleteMatching(glob: string, progress?: () => void): Promise<number>;

  /** Atomically adds `by`; the TTL is set when the counter is created. */
  increment(key: string, by: number, ttlMs: number): Promise<number>;

  /** Runs every op atomically; each reply stands at its op's position. */
  batch(ops: readonly StoreBatchOp[]): Promise<StoreBatchReply[]>;

  ping(): Promise<void>;

  info(): Promise<CacheStoreInfo>;

  /** Probes over the existing connection within `timeoutMs`; never rejects. */
  health(options: StoreHealthOptions): Promise<StoreHealth>;

  /** Resolves once the store can serve, or after `timeoutMs`: false then. */
  waitUntilReady(timeoutMs: number): Promise<boolean>;

  /** Whether the store can serve right now (when it cannot tell, undefined). */
  isReady?(): boolean;

  /**
   * Releases the store. With `keepConnection`, a connection the application
   * provided stays open: only the store's own listeners are removed.
   */
  close(options?: { keepConnection?: boolean }): Promise<void>;
}
