import type { CacheService } from '@lexikon/cache';

/**
 * The database the loaders read: a version per key. A write bumps it, then
 * invalidates; once the invalidation resolved, the version is committed:
 * every read that begins after it must see that version or a newer one.
 */
export class VersionedRows {
  loads = 0;
  private readonly versions = new Map<string, number>();
  private readonly committed = new Map<string, number>();

  read(key: string): { key: string; v: number } {
    this.loads++;
    return { key, v: this.versions.get(key) ?? 0 };
  }

  bump(key: string): number {
    const v = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, v);
    return v;
  }

  commit(key: string, v: number): void {
    if (v > this.floor(key)) this.committed.set(key, v);
  }

  /** The newest version a read beginning now must see at least. */
  floor(key: string): number {
    return this.committed.get(key) ?? 0;
  }
}

export interface FailoverLoadOptions {
  readonly caches: readonly CacheService[];
  readonly rows: VersionedRows;
  readonly keys: readonly string[];
  /** Workers, each one operation at a time. */
  readonly concurrency: number;
  /** The most operations in all, whatever `until` says. */
  readonly maxOps: number;
  /** Once true, the load runs `tailOps` more operations and stops. */
  readonly until?: () => boolean;
  readonly tailOps?: number;
  /** Pause between two operations of a worker, so the load spans a failover. */
  readonly pauseMs?: number;
  /** Called as operation `i` begins. */
  readonly onOp?: (i: number) => void;
}

export interface FailoverLoadReport {
  ops: number;
  reads: number;
  writes: number;
  /** Writes whose invalidation was deferred (not confirmed yet). */
  deferred: number;
  /** Whether `until` held before `maxOps` ran out. */
  reachedUntil: boolean;
  readonly failures: string[];
  readonly stale: string[];
}

/** One in eight operations writes; the rest read through `getOrSet`. */
const WRITE_EVERY = 8;

function tagOf(key: string): string {
  return `t-${key}`;
}

async function operate(
  i: number,
  o: FailoverLoadOptions,
  report: FailoverLoadReport,
): Promise<void> {
  const key = o.keys[i % o.keys.length];
  const cache = o.caches[Math.floor(i / 3) % o.caches.length];
  if (i % WRITE_EVERY === WRITE_EVERY - 1) {
    report.writes++;
    const v = o.rows.bump(key);
    // by key on one write, by tag on the next: both must reach every tier
    const confirmed =
      (i / WRITE_EVERY) % 2 < 1
        ? (await cache.delete(key)) >= 0
        : await cache.invalidateTags([tagOf(key)]);
    if (!confirmed) report.deferred++;
    o.rows.commit(key, v);
    return;
  }
  report.reads++;
  const floor = o.rows.floor(key);
  const got = await cache.getOrSet(key, () => o.rows.read(key), {
    tags: [tagOf(key)],
  });
  if (typeof got?.v !== 'number') {
    report.failures.push(`read ${i} of ${key}: no value`);
  } else if (got.v < floor) {
    report.stale.push(`read ${i} of ${key}: v${got.v}, wrote v${floor}`);
  }
}

/**
 * A bounded mixed load over several cache instances: reads of a few keys
 * through a counting loader and writes that invalidate by key or by tag,
 * from every instance in turn. Records every rejection and every read older
 * than the last write committed before it began.
 */
export async function runFailoverLoad(
  o: FailoverLoadOptions,
): Promise<FailoverLoadReport> {
  const report: FailoverLoadReport = {
    ops: 0,
    reads: 0,
    writes: 0,
    deferred: 0,
    reachedUntil: false,
    failures: [],
    stale: [],
  };
  let next = 0;
  let stopAt = o.maxOps;
  const worker = async () => {
    while (next < stopAt) {
      if (!report.reachedUntil && o.until?.()) {
        report.reachedUntil = true;
        stopAt = Math.min(o.maxOps, next + (o.tailOps ?? 0));
        if (next >= stopAt) return;
      }
      const i = next++;
      report.ops++;
      o.onOp?.(i);
      try {
        await operate(i, o, report);
      } catch (error) {
        report.failures.push(`op ${i}: ${String(error)}`);
      }
      if (o.pauseMs) await new Promise((r) => setTimeout(r, o.pauseMs));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return report;
}
