import { LRUCache } from 'lru-cache';
import { CacheWrongTypeError } from '../../errors/lexikon-cache.error.js';
import type {
  CacheStore,
  CacheStoreInfo,
  Lease,
  LeaseRequest,
  ReadOutcome,
  StoreBatchOp,
  StoreBatchReply,
  StoreHealth,
  StoreHealthOptions,
} from '../cache-store.js';
import { globToRegExp } from '../../keys/glob.js';
import { runBatch } from './memory-batch.js';
import { detailedHit, heldBy } from './memory-held.js';
import { NO_TAGS, slotBytes, type Slot } from './memory-slot.js';
import { MemoryTags } from './memory-tags.js';
import { memoryHealth, memoryInfo } from './memory-report.js';
import { keptEntry, outlivedEntry } from './memory-kept.js';
import { STAMP_FRESH, STAMP_GONE } from '../tag-stamps.js';

export interface MemoryStoreLimits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * An in-process store with the Redis store's semantics (TTL, tag stamps,
 * leases, patterns, counters), on `lru-cache`: bounded by entries and by
 * bytes, least recently used first out, and so are its tag versions. For
 * single-instance deployments, development and tests.
 */
export class MemoryCacheStore implements CacheStore {
  readonly kind = 'memory' as const;
  readonly mode = 'memory' as const;
  private readonly slots: LRUCache<string, Slot>;
  private readonly tags: MemoryTags;
  private hits = 0;
  private misses = 0;
  private readonly startedAt = Date.now();

  constructor(limits: MemoryStoreLimits) {
    this.slots = new LRUCache<string, Slot>({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      sizeCalculation: slotBytes,
    });
    this.tags = new MemoryTags(limits.maxEntries);
  }

  private readonly stamps = (slot: Slot & { kind: 'entry' }) =>
    this.tags.stampState(slot.tagKeys, slot.versions);

  /** The payload of a usable entry; a counter reads as its number. */
  private peek(key: string): string | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) return undefined;
    if (slot.kind === 'entry')
      return this.stamps(slot) === STAMP_FRESH ? slot.payload : undefined;
    return slot.kind === 'counter' ? String(slot.value) : undefined;
  }

  peekNow(
    key: string,
    _tagKeys: readonly string[],
    graceMs = 0,
  ): string | undefined {
    const hit = this.peek(key);
    if (hit === undefined || this.outlived(key, graceMs)) return undefined;
    this.hits++;
    return hit;
  }

  read(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    _plainFirst?: boolean,
    detail?: boolean,
    graceMs = 0,
  ): Promise<ReadOutcome> {
    const hit = this.peek(key);
    const outlived = this.outlived(key, graceMs);
    if (hit !== undefined && outlived === undefined) {
      this.hits++;
      return Promise.resolve(detail ? detailedHit(this.slots, key, hit) : hit);
    }
    this.misses++;
    if (lease === undefined)
      return Promise.resolve(outlived ? { outlived } : {});
    const slot = this.slots.get(key);
    // a lease whose tags moved on since it was taken is stale: take it over
    if (slot?.kind === 'lease' && this.leaseCurrent(slot))
      return Promise.resolve(heldBy(slot, tagKeys));
    const versions = tagKeys.map((t) => this.tags.current(t, lease.ms));
    const since = this.tags.since;
    const kept = outlived && slot?.kind === 'entry' ? slot : undefined;
    this.slots.set(
      key,
      { kind: 'lease', token: lease.token, versions, tagKeys, kept },
      { ttl: lease.ms },
    );
    const granted = { token: lease.token, versions, since };
    return Promise.resolve(
      outlived ? { outlived, lease: granted } : { lease: granted },
    );
  }

  private outlived(key: string, graceMs: number) {
    return outlivedEntry(this.slots, key, graceMs, this.stamps);
  }

  keptEntry(key: string, token: string, putBackMs: number): Promise<boolean> {
    const fresh = (e: Slot & { kind: 'entry' }) =>
      this.stamps(e) !== STAMP_GONE;
    return Promise.resolve(keptEntry(this.slots, key, token, putBackMs, fresh));
  }

  private leaseCurrent(slot: Slot & { kind: 'lease' }): boolean {
    return slot.tagKeys.every((t, i) => this.tags.peek(t) === slot.versions[i]);
  }

  private holds(key: string, token: string): boolean {
    const slot = this.slots.peek(key);
    return slot?.kind === 'lease' && slot.token === token;
  }

  fill(
    key: string,
    lease: Lease,
    tagKeys: readonly string[],
    lateTagKeys: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean> {
    if (!this.holds(key, lease.token)) return Promise.resolve(false);
    const stale =
      tagKeys.some((t, i) => this.tags.peek(t) !== lease.versions[i]) ||
      lateTagKeys.some((t) => this.tags.bumpedSince(t, lease.since, ttlMs));
    if (stale) {
      this.slots.delete(key);
      return Promise.resolve(false);
    }
    const allTags = lateTagKeys.length ? [...tagKeys, ...lateTagKeys] : tagKeys;
    const versions = allTags.map((t) => this.tags.current(t, ttlMs));
    this.slots.set(
      key,
      { kind: 'entry', payload, tagKeys: allTags, versions },
      { ttl: ttlMs },
    );
    return Promise.resolve(true);
  }

  release(key: string, token: string): Promise<void> {
    if (this.holds(key, token)) this.slots.delete(key);
    return Promise.resolve();
  }

  extendLease(key: string, token: string, ms: number): Promise<boolean> {
    const slot = this.slots.peek(key);
    if (!slot || !this.holds(key, token)) return Promise.resolve(false);
    this.slots.set(key, slot, { ttl: ms });
    return Promise.resolve(true);
  }

  write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void> {
    this.setEntry(key, payload, ttlMs, tagKeys);
    return Promise.resolve();
  }

  private setEntry(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): void {
    const versions = tagKeys.length
      ? tagKeys.map((t) => this.tags.current(t, ttlMs))
      : NO_TAGS;
    this.slots.set(
      key,
      { kind: 'entry', payload, tagKeys, versions },
      { ttl: ttlMs },
    );
  }

  readMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return Promise.resolve(keys.map((k) => this.peek(k)));
  }

  writeMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void> {
    for (const [key, payload] of entries)
      this.setEntry(key, payload, ttlMs, NO_TAGS);
    return Promise.resolve();
  }

  private deleteNow(keys: readonly string[]): number {
    let n = 0;
    for (const key of keys) if (this.slots.delete(key)) n++;
    return n;
  }

  delete(keys: readonly string[]): Promise<number> {
    return Promise.resolve(this.deleteNow(keys));
  }

  bumpTags(tags: readonly string[], soft?: readonly string[]): Promise<void> {
    this.tags.bump(tags, soft);
    return Promise.resolve();
  }

  deleteMatching(glob: string): Promise<number> {
    const re = globToRegExp(glob);
    const doomed: string[] = [];
    for (const key of this.slots.keys()) if (re.test(key)) doomed.push(key);
    return Promise.resolve(this.deleteNow(doomed));
  }

  private incrementNow(key: string, by: number, ttlMs: number): number {
    const slot = this.slots.get(key);
    if (slot?.kind === 'entry')
      throw CacheWrongTypeError.create('increment', key);
    if (slot?.kind === 'counter') {
      slot.value += by;
      return slot.value;
    }
    this.slots.set(key, { kind: 'counter', value: by }, { ttl: ttlMs });
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
    return Promise.resolve(
      runBatch(ops, {
        get: (key) => this.peek(key),
        delete: (key) => this.deleteNow([key]),
        set: (key, payload, ttlMs) =>
          this.setEntry(key, payload, ttlMs, NO_TAGS),
        increment: (key, by, ttlMs) => this.incrementNow(key, by, ttlMs),
        expire: (key, ttlMs) => {
          const slot = this.slots.get(key);
          if (slot) this.slots.set(key, slot, { ttl: ttlMs });
          return slot !== undefined;
        },
      }),
    );
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  info(): Promise<CacheStoreInfo> {
    const { hits, misses, startedAt } = this;
    return Promise.resolve(memoryInfo(this.slots, hits, misses, startedAt));
  }

  health(options: StoreHealthOptions): Promise<StoreHealth> {
    return Promise.resolve(memoryHealth(this.slots, options));
  }

  /** Entries (and tag versions) held, for tests and metrics. */
  get size(): { readonly entries: number; readonly tags: number } {
    return { entries: this.slots.size, tags: this.tags.size };
  }

  waitUntilReady(): Promise<boolean> {
    return Promise.resolve(true);
  }

  isReady(): boolean {
    return true;
  }

  close(): Promise<void> {
    this.slots.clear();
    this.tags.clear();
    return Promise.resolve();
  }
}
