import { CacheWrongTypeError } from '../../errors/lexikon-cache.error.js';
import {
  CacheStore,
  type CacheStoreInfo,
  type ReadOutcome,
  type StoreBatchOp,
  type StoreBatchReply,
  type StoreHealth,
  type StoreHealthOptions,
} from '../cache-store.js';
import { globToRegExp } from '../../keys/glob.js';

type Slot =
  | {
      kind: 'entry';
      payload: string;
      tagKeys: readonly string[];
      versions: readonly string[];
      expiresAt: number;
    }
  | {
      kind: 'lease';
      token: string;
      versions: readonly string[];
      expiresAt: number;
      leasedAt: number;
    }
  | { kind: 'counter'; value: number; expiresAt: number };

interface TagVersion {
  version: string;
  expiresAt: number;
  /** When an invalidation last gave it this version (0: created by a read). */
  bumpedAt: number;
}

const NO_TAGS: readonly string[] = [];
const SWEEP_INTERVAL_MS = 30_000;

function sameVersions(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * An in-process store with the Redis store's semantics (TTL, tag stamps,
 * leases, patterns, counters), bounded in entries with least-recently-used
 * eviction. For single-instance deployments, development and tests.
 */
export class MemoryCacheStore extends CacheStore {
  readonly kind = 'memory' as const;
  readonly mode = 'memory' as const;
  private readonly slots = new Map<string, Slot>();
  private readonly tags = new Map<string, TagVersion>();
  private seq = 0;
  private hits = 0;
  private misses = 0;
  private readonly startedAt = Date.now();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly maxEntries: number,
    private readonly tagTtlMs: number,
  ) {
    super();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  private live(key: string, now = Date.now()): Slot | undefined {
    const slot = this.slots.get(key);
    if (slot && slot.expiresAt <= now) {
      this.slots.delete(key);
      return undefined;
    }
    return slot;
  }

  private put(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.slots.set(key, slot);
    if (this.slots.size > this.maxEntries) {
      // a Map iterates in insertion order: the first slot is the least recently used
      for (const [oldest] of this.slots) {
        this.slots.delete(oldest);
        break;
      }
    }
  }

  private nextVersion(): string {
    return `m${(++this.seq).toString(36)}`;
  }

  private tagVersion(tagKey: string, now: number): string | undefined {
    const tag = this.tags.get(tagKey);
    if (!tag) return undefined;
    if (tag.expiresAt <= now) {
      this.tags.delete(tagKey);
      return undefined;
    }
    return tag.version;
  }

  private currentVersions(
    tagKeys: readonly string[],
    now: number,
  ): readonly string[] {
    if (tagKeys.length === 0) return NO_TAGS;
    return tagKeys.map((tagKey) => {
      let version = this.tagVersion(tagKey, now);
      if (version === undefined) {
        version = this.nextVersion();
        this.tags.set(tagKey, {
          version,
          expiresAt: now + this.tagTtlMs,
          bumpedAt: 0,
        });
      }
      return version;
    });
  }

  private isFresh(slot: Slot & { kind: 'entry' }, now: number): boolean {
    for (let i = 0; i < slot.tagKeys.length; i++) {
      if (this.tagVersion(slot.tagKeys[i], now) !== slot.versions[i])
        return false;
    }
    return true;
  }

  /** The payload of a usable entry; a counter reads as its number. */
  private peek(key: string, now: number): string | undefined {
    const slot = this.live(key, now);
    if (slot?.kind === 'entry' && this.isFresh(slot, now)) {
      this.put(key, slot);
      return slot.payload;
    }
    if (slot?.kind === 'counter') return String(slot.value);
    return undefined;
  }

  override peekNow(key: string): string | undefined {
    const hit = this.peek(key, Date.now());
    if (hit !== undefined) this.hits++;
    return hit;
  }

  read(
    key: string,
    tagKeys: readonly string[],
    leaseMs: number,
  ): Promise<ReadOutcome> {
    const now = Date.now();
    const hit = this.peek(key, now);
    if (hit !== undefined) {
      this.hits++;
      return Promise.resolve(hit);
    }
    this.misses++;
    if (leaseMs <= 0) return Promise.resolve({ versions: NO_TAGS });
    const slot = this.live(key, now);
    const versions = this.currentVersions(tagKeys, now);
    if (slot?.kind === 'lease' && sameVersions(slot.versions, versions)) {
      return Promise.resolve({ holder: slot.token, versions });
    }
    const lease = this.nextVersion();
    this.put(key, {
      kind: 'lease',
      token: lease,
      versions,
      expiresAt: now + leaseMs,
      leasedAt: now,
    });
    return Promise.resolve({ lease, versions });
  }

  fill(
    key: string,
    tagKeys: readonly string[],
    lease: string,
    versions: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean> {
    const now = Date.now();
    const slot = this.live(key, now);
    if (slot?.kind !== 'lease' || slot.token !== lease)
      return Promise.resolve(false);
    const stamp: string[] = [];
    for (let i = 0; i < tagKeys.length; i++) {
      const known = versions[i];
      const tag = this.tags.get(tagKeys[i]);
      const lateAndBumped =
        !known && tag !== undefined && tag.bumpedAt >= slot.leasedAt;
      if (
        lateAndBumped ||
        (known && this.tagVersion(tagKeys[i], now) !== known)
      ) {
        this.slots.delete(key);
        return Promise.resolve(false);
      }
      stamp.push(known || this.currentVersions([tagKeys[i]], now)[0]);
    }
    this.put(key, {
      kind: 'entry',
      payload,
      tagKeys,
      versions: stamp,
      expiresAt: now + ttlMs,
    });
    return Promise.resolve(true);
  }

  release(key: string, lease: string): Promise<void> {
    const slot = this.slots.get(key);
    if (slot?.kind === 'lease' && slot.token === lease) this.slots.delete(key);
    return Promise.resolve();
  }

  write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void> {
    const now = Date.now();
    const versions = this.currentVersions(tagKeys, now);
    this.put(key, {
      kind: 'entry',
      payload,
      tagKeys,
      versions,
      expiresAt: now + ttlMs,
    });
    return Promise.resolve();
  }

  readMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const now = Date.now();
    return Promise.resolve(keys.map((k) => this.peek(k, now)));
  }

  writeMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void> {
    const expiresAt = Date.now() + ttlMs;
    for (const [key, payload] of entries) {
      this.put(key, {
        kind: 'entry',
        payload,
        tagKeys: NO_TAGS,
        versions: NO_TAGS,
        expiresAt,
      });
    }
    return Promise.resolve();
  }

  private deleteNow(keys: readonly string[]): number {
    const now = Date.now();
    let n = 0;
    for (const key of keys) {
      if (this.live(key, now)) n++;
      this.slots.delete(key);
    }
    return n;
  }

  delete(keys: readonly string[]): Promise<number> {
    return Promise.resolve(this.deleteNow(keys));
  }

  bumpTags(tagKeys: readonly string[]): Promise<void> {
    const now = Date.now();
    const expiresAt = now + this.tagTtlMs;
    for (const tagKey of tagKeys) {
      this.tags.set(tagKey, {
        version: this.nextVersion(),
        expiresAt,
        bumpedAt: now,
      });
    }
    return Promise.resolve();
  }

  deleteMatching(glob: string): Promise<number> {
    const re = globToRegExp(glob);
    const now = Date.now();
    let n = 0;
    for (const [key, slot] of this.slots) {
      if (!re.test(key)) continue;
      if (slot.expiresAt > now) n++;
      this.slots.delete(key);
    }
    return Promise.resolve(n);
  }

  private incrementNow(key: string, by: number, ttlMs: number): number {
    const now = Date.now();
    const slot = this.live(key, now);
    if (slot?.kind === 'entry')
      throw CacheWrongTypeError.create('increment', key);
    if (slot?.kind === 'counter') {
      slot.value += by;
      return slot.value;
    }
    this.put(key, { kind: 'counter', value: by, expiresAt: now + ttlMs });
    return by;
  }

  increment(key: string, by: number, ttlMs: number): Promise<number> {
    try {
      return Promise.resolve(this.incrementNow(key, by, ttlMs));
    } catch (err) {
      return Promise.reject(
        err instanceof Error ? err : new Error(String(err)),
      );
    }
  }

  batch(ops: readonly StoreBatchOp[]): Promise<StoreBatchReply[]> {
    const now = Date.now();
    const replies = ops.map((op): StoreBatchReply => {
      try {
        switch (op.op) {
          case 'get':
            return { ok: true, value: this.peek(op.key, now) };
          case 'exists':
            return { ok: true, value: this.peek(op.key, now) !== undefined };
          case 'delete':
            return { ok: true, value: this.deleteNow([op.key]) };
          case 'set':
            this.put(op.key, {
              kind: 'entry',
              payload: op.payload,
              tagKeys: NO_TAGS,
              versions: NO_TAGS,
              expiresAt: now + op.ttlMs,
            });
            return { ok: true, value: true };
          case 'increment':
            return {
              ok: true,
              value: this.incrementNow(op.key, op.by, op.ttlMs),
            };
          case 'expire': {
            const slot = this.live(op.key, now);
            if (slot) slot.expiresAt = now + op.ttlMs;
            return { ok: true, value: slot !== undefined };
          }
        }
      } catch (err) {
        return {
          ok: false,
          error: err instanceof Error ? err : new Error(String(err)),
        };
      }
    });
    return Promise.resolve(replies);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  /** A rough estimate of the bytes held (UTF-16 strings, 16 bytes per lease or counter). */
  private usedBytes(): number {
    let bytes = 0;
    for (const [key, slot] of this.slots) {
      bytes +=
        key.length * 2 + (slot.kind === 'entry' ? slot.payload.length * 2 : 16);
    }
    return bytes;
  }

  info(): Promise<CacheStoreInfo> {
    const bytes = this.usedBytes();
    return Promise.resolve({
      kind: 'memory',
      mode: 'memory',
      usedMemoryMb: Math.round((bytes / (1024 * 1024)) * 100) / 100,
      connectedClients: 0,
      totalCommandsProcessed: this.hits + this.misses,
      keys: this.slots.size,
      hits: this.hits,
      misses: this.misses,
      uptimeSeconds: Math.floor((Date.now() - this.startedAt) / 1000),
    });
  }

  health(options: StoreHealthOptions): Promise<StoreHealth> {
    return Promise.resolve({
      ok: true,
      responseTimeMs: 0,
      ...(options.usedMemory && { usedMemoryBytes: this.usedBytes() }),
    });
  }

  /** Entries held, for tests and metrics. */
  get size(): number {
    return this.slots.size;
  }

  waitUntilReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, slot] of this.slots)
      if (slot.expiresAt <= now) this.slots.delete(key);
    for (const [key, tag] of this.tags)
      if (tag.expiresAt <= now) this.tags.delete(key);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.slots.clear();
    this.tags.clear();
    return Promise.resolve();
  }
}
