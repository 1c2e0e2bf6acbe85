import { LRUCache } from 'lru-cache';
import type { Invalidation } from '../engine/invalidation.js';
import { globToRegExp } from '../keys/glob.js';

/** What the in-process tier holds for a key: the payload as Redis has it, and its tags. */
interface L1Entry {
  readonly payload: string;
  readonly tagKeys: readonly string[];
}

export interface L1Limits {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

const ENTRY_OVERHEAD_BYTES = 96;

/**
 * The in-process tier's entries: an LRU bounded by entries and by bytes,
 * with an index from tag keys to the keys that carry them, so that an
 * invalidation by key, tag, pattern or of everything drops exactly what it
 * covers. Payloads are kept as stored (immutable strings), so a hit hands
 * every caller its own decoded value.
 */
export class L1Cache {
  private readonly entries: LRUCache<string, L1Entry>;
  private readonly byTag = new Map<string, Set<string>>();

  constructor(limits: L1Limits) {
    this.entries = new LRUCache<string, L1Entry>({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      sizeCalculation: (e, key) =>
        ENTRY_OVERHEAD_BYTES + (key.length + e.payload.length) * 2,
      dispose: (e, key) => this.unindex(key, e),
    });
  }

  get(key: string): string | undefined {
    return this.entries.get(key)?.payload;
  }

  /** Time left (ms) of a kept entry; 0 when there is none. */
  remainingMs(key: string): number {
    return this.entries.getRemainingTTL(key);
  }

  set(
    key: string,
    payload: string,
    tagKeys: readonly string[],
    ttlMs: number,
  ): void {
    this.entries.set(key, { payload, tagKeys }, { ttl: ttlMs });
    for (const t of tagKeys) {
      let keys = this.byTag.get(t);
      if (!keys) this.byTag.set(t, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, e: L1Entry): void {
    for (const t of e.tagKeys) {
      const keys = this.byTag.get(t);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.byTag.delete(t);
    }
  }

  /** Drops everything `inv` covers: its keys, every entry carrying one of its tags, every key its globs match. */
  apply(inv: Invalidation, allGlob: string): void {
    for (const k of inv.keys ?? []) this.entries.delete(k);
    for (const t of inv.tagKeys ?? []) {
      const keys = this.byTag.get(t);
      if (keys) for (const k of Array.from(keys)) this.entries.delete(k);
    }
    const globs = inv.globs ?? [];
    if (globs.includes(allGlob)) {
      this.clear();
      return;
    }
    if (globs.length === 0) return;
    const patterns = globs.map(globToRegExp);
    for (const k of Array.from(this.entries.keys())) {
      if (patterns.some((p) => p.test(k))) this.entries.delete(k);
    }
  }

  /** Whether `inv` reaches this key or one of its tags (for a fill racing an invalidation). */
  static covers(
    inv: Invalidation,
    key: string,
    tagKeys: readonly string[],
  ): boolean {
    if (inv.keys?.includes(key)) return true;
    if (inv.tagKeys?.some((t) => tagKeys.includes(t))) return true;
    return (inv.globs ?? []).some((g) => globToRegExp(g).test(key));
  }

  clear(): void {
    this.entries.clear();
    this.byTag.clear();
  }

  get size(): { readonly entries: number; readonly bytes: number } {
    return { entries: this.entries.size, bytes: this.entries.calculatedSize };
  }
}
