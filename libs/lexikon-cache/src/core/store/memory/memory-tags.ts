import { LRUCache } from 'lru-cache';

/**
 * Tag versions of the memory store: numbers of one sequence, in a bounded
 * LRU. A tag evicted or expired reads as the current number, so it never
 * looks older than a lease taken before it vanished (see CacheStore).
 */
export class MemoryTags {
  private readonly versions: LRUCache<string, number>;
  private seq = 0;

  constructor(maxTags: number) {
    this.versions = new LRUCache<string, number>({ max: maxTags });
  }

  /** The tag sequence now, for a lease's `since`. */
  get since(): string {
    return String(this.seq);
  }

  /** The tag's version, or undefined when it has none (a stamp then never matches). */
  peek(tagKey: string): string | undefined {
    const v = this.versions.get(tagKey);
    return v === undefined ? undefined : String(v);
  }

  /** The tag's version, created at the current number (kept `ttlMs` at least) when it has none. */
  current(tagKey: string, ttlMs: number): string {
    let v = this.versions.get(tagKey);
    if (v === undefined) {
      v = this.seq;
      this.versions.set(tagKey, v, { ttl: ttlMs });
    } else {
      this.extend(tagKey, v, ttlMs);
    }
    return String(v);
  }

  /** Whether the tag moved on since `since` (a missing tag takes the current number). */
  bumpedSince(tagKey: string, since: string, ttlMs: number): boolean {
    return Number(this.current(tagKey, ttlMs)) > Number(since);
  }

  bump(tagKeys: readonly string[]): void {
    const next = ++this.seq;
    for (const tagKey of tagKeys) {
      // a tag that has no version needs none: missing already reads as new
      const ttl = this.versions.getRemainingTTL(tagKey);
      if (ttl > 0) this.versions.set(tagKey, next, { ttl });
    }
  }

  private extend(tagKey: string, version: number, ttlMs: number): void {
    const left = this.versions.getRemainingTTL(tagKey);
    if (left !== Infinity && left < ttlMs) {
      this.versions.set(tagKey, version, { ttl: ttlMs });
    }
  }

  get size(): number {
    return this.versions.size;
  }

  clear(): void {
    this.versions.clear();
  }
}
