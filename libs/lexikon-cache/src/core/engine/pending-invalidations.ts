import type { Invalidation } from './invalidation.js';

/** Bounds of what waits for the store, documented in the README. */
export const MAX_PENDING_KEYS = 10_000;
export const MAX_PENDING_TAGS = 10_000;
export const MAX_PENDING_GLOBS = 100;

/**
 * Invalidations the store did not confirm, coalesced: each key, tag or glob
 * is kept once, whatever the number of writes that asked for it. Past a
 * bound, everything collapses into one glob for the whole prefix (a clear),
 * which covers all of it; so what waits is bounded and a replay is at most
 * one SCAN per distinct glob.
 */
export class PendingInvalidations {
  private readonly keys = new Set<string>();
  private readonly tagKeys = new Set<string>();
  /** Those of `tagKeys` only ever asked for softly: a hard one makes a tag hard. */
  private readonly softTagKeys = new Set<string>();
  private readonly globs = new Set<string>();
  private everything = false;
  /** A clear is being replayed now. */
  private clearing = false;
  /** An invalidation came while a clear was being replayed: it runs once more. */
  private again = false;

  constructor(private readonly everythingGlob: string) {}

  get size(): number {
    if (this.everything) return 1;
    return this.keys.size + this.tagKeys.size + this.globs.size;
  }

  add(inv: Invalidation): void {
    if (this.everything) {
      // before the replay starts, the clear covers it; during it, it may not
      if (this.clearing) this.again = true;
      return;
    }
    for (const k of inv.keys ?? []) this.keys.add(k);
    for (const t of inv.tagKeys ?? []) {
      if (!inv.softTagKeys?.includes(t)) this.softTagKeys.delete(t);
      else if (!this.tagKeys.has(t)) this.softTagKeys.add(t);
      this.tagKeys.add(t);
    }
    for (const g of inv.globs ?? []) this.globs.add(g);
    if (
      this.keys.size > MAX_PENDING_KEYS ||
      this.tagKeys.size > MAX_PENDING_TAGS ||
      this.globs.size > MAX_PENDING_GLOBS ||
      this.globs.has(this.everythingGlob)
    ) {
      this.collapse();
    }
  }

  private collapse(): void {
    this.everything = true;
    this.keys.clear();
    this.tagKeys.clear();
    this.softTagKeys.clear();
    this.globs.clear();
  }

  /** What to replay now (a snapshot: invalidations added meanwhile stay). */
  snapshot(): Invalidation {
    if (this.everything) {
      this.clearing = true;
      this.again = false;
      return { globs: [this.everythingGlob] };
    }
    return {
      keys: [...this.keys],
      tagKeys: [...this.tagKeys],
      ...(this.softTagKeys.size > 0 && { softTagKeys: [...this.softTagKeys] }),
      globs: [...this.globs],
    };
  }

  /** Forgets what a replay of `done` confirmed. */
  confirm(done: Invalidation): void {
    if (this.everything && done.globs?.includes(this.everythingGlob)) {
      this.everything = this.again;
      this.again = false;
      this.clearing = false;
      return;
    }
    for (const k of done.keys ?? []) this.keys.delete(k);
    for (const t of done.tagKeys ?? []) {
      // asked for hard since a soft replay: that one is still to do
      if (done.softTagKeys?.includes(t) && !this.softTagKeys.has(t)) continue;
      this.tagKeys.delete(t);
      this.softTagKeys.delete(t);
    }
    for (const g of done.globs ?? []) this.globs.delete(g);
  }
}
