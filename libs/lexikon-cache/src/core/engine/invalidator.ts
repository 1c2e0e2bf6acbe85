import {
  FAULT,
  SKIPPED,
  type FailOpenStore,
} from '../guard/fail-open-store.js';
import type { CacheStats } from './cache-stats.js';
import type { Invalidation, InvalidationResult } from './invalidation.js';
import { PendingInvalidations } from './pending-invalidations.js';

/** Leases given up while the store could not be told, retried with the invalidations. */
const MAX_PENDING_RELEASES = 10_000;

const NONE: readonly string[] = [];

/**
 * Applies invalidations through the fail-open store. What the store does not
 * confirm is kept (coalesced, bounded) and replayed until it is; meanwhile
 * reads bypass the cache, so nothing an invalidation covers is served.
 */
export class Invalidator {
  readonly pending: PendingInvalidations;
  private readonly releases = new Map<string, string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly store: FailOpenStore,
    private readonly stats: CacheStats,
    everythingGlob: string,
    private readonly retryMs: number,
    /** Told of each invalidation the store confirmed; false when it could not pass it on. */
    private readonly applied: (inv: Invalidation) => Promise<boolean> = () =>
      Promise.resolve(true),
    /** Told of each invalidation kept for later, at once. */
    private readonly deferred?: (inv: Invalidation) => void,
  ) {
    this.pending = new PendingInvalidations(everythingGlob);
  }

  async invalidate(inv: Invalidation): Promise<InvalidationResult> {
    const result = await this.apply(inv);
    if (!result.applied) this.defer(inv);
    return result;
  }

  private async apply(inv: Invalidation): Promise<InvalidationResult> {
    const keys = inv.keys ?? NONE;
    const tagKeys = inv.tagKeys ?? NONE;
    const globs = inv.globs ?? NONE;
    const first = keys[0] ?? tagKeys[0] ?? globs[0] ?? '';
    const [deleted, bumped, ...matched] = await Promise.all([
      keys.length
        ? this.store.essential('invalidate', first, (s) => s.delete(keys))
        : 0,
      tagKeys.length
        ? this.store.essential('invalidate', first, (s) =>
            s.bumpTags(tagKeys, inv.softTagKeys),
          )
        : undefined,
      ...globs.map((g) =>
        this.store.essential(
          'invalidate',
          g,
          (s, alive) => s.deleteMatching(g, alive),
          true,
        ),
      ),
    ]);
    const outcomes = [deleted, bumped, ...matched];
    if (outcomes.some((o) => o === FAULT || o === SKIPPED)) {
      return { applied: false, deleted: 0 };
    }
    if (!(await this.applied(inv))) return { applied: false, deleted: 0 };
    this.stats.invalidations++;
    let count = deleted as number;
    for (const n of matched) count += n as number;
    return { applied: true, deleted: count };
  }

  defer(inv: Invalidation): void {
    this.pending.add(inv);
    this.deferred?.(inv);
    this.scheduleRetry();
  }

  /**
   * Gives a lease back that a read may have taken although it timed out on
   * this side: without it, every reader would wait on a lease nobody holds.
   */
  releaseLater(key: string, token: string): void {
    void this.store
      .call('release', key, (s) => s.release(key, token))
      .then((r) => {
        if (r !== FAULT && r !== SKIPPED) return;
        if (this.releases.size < MAX_PENDING_RELEASES)
          this.releases.set(key, token);
        this.scheduleRetry();
      });
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flush();
    }, this.retryMs);
    this.retryTimer.unref();
  }

  /** Replays what waits; resolves true once nothing is left. */
  async flush(): Promise<boolean> {
    for (const [key, token] of this.releases) {
      const r = await this.store.call('release', key, (s) =>
        s.release(key, token),
      );
      if (r === FAULT || r === SKIPPED) break;
      this.releases.delete(key);
    }
    if (this.pending.size > 0) {
      const snapshot = this.pending.snapshot();
      if ((await this.apply(snapshot)).applied) this.pending.confirm(snapshot);
    }
    const left = this.pending.size > 0 || this.releases.size > 0;
    if (left) this.scheduleRetry();
    return !left;
  }

  close(): number {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    return this.pending.size;
  }
}
