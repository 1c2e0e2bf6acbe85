import { LRUCache } from 'lru-cache';
import {
  latestPart,
  softened,
  softOnly,
  STAMP_FRESH,
  STAMP_GONE,
  STAMP_SOFT,
  type StampState,
} from '../tag-stamps.js';

/**
 * Tag versions of the memory store: numbers of one sequence, in a bounded
 * LRU. A tag evicted or expired reads as the current number, so it never
 * looks older than a lease taken before it vanished (see CacheStore). A
 * soft bump keeps a version's hard part (see `tag-stamps.ts`).
 */
export class MemoryTags {
  private readonly versions: LRUCache<string, string>;
  private seq = 0;

  constructor(maxTags: number) {
    this.versions = new LRUCache<string, string>({ max: maxTags });
  }

  /** The tag sequence now, for a lease's `since`. */
  get since(): string {
    return String(this.seq);
  }

  /** The tag's version, or undefined when it has none (a stamp then never matches). */
  peek(tagKey: string): string | undefined {
    return this.versions.get(tagKey);
  }

  /** How versions stamped on an entry stand against its tags' current ones. */
  stampState(
    tagKeys: readonly string[],
    versions: readonly string[],
  ): StampState {
    let state: StampState = STAMP_FRESH;
    for (let i = 0; i < tagKeys.length; i++) {
      const v = this.versions.get(tagKeys[i]);
      if (v === versions[i]) continue;
      if (!softOnly(v, versions[i])) return STAMP_GONE;
      state = STAMP_SOFT;
    }
    return state;
  }

  /** The tag's version, created at the current number (kept `ttlMs` at least) when it has none. */
  current(tagKey: string, ttlMs: number): string {
    let v = this.versions.get(tagKey);
    if (v === undefined) {
      v = String(this.seq);
      this.versions.set(tagKey, v, { ttl: ttlMs });
    } else {
      this.extend(tagKey, v, ttlMs);
    }
    return v;
  }

  /** Whether the tag moved on since `since` (a missing tag takes the current number). */
  bumpedSince(tagKey: string, since: string, ttlMs: number): boolean {
    return Number(latestPart(this.current(tagKey, ttlMs))) > Number(since);
  }

  bump(tagKeys: readonly string[], softTagKeys?: readonly string[]): void {
    const next = String(++this.seq);
    for (const tagKey of tagKeys) {
      // a tag that has no version needs none: missing already reads as new
      const ttl = this.versions.getRemainingTTL(tagKey);
      const cur = this.versions.peek(tagKey);
      if (ttl <= 0 || cur === undefined) continue;
      const soft = softTagKeys?.includes(tagKey) === true;
      this.versions.set(tagKey, soft ? softened(cur, next) : next, { ttl });
    }
  }

  private extend(tagKey: string, version: string, ttlMs: number): void {
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
