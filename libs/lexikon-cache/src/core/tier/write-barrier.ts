import { monotonicMs } from '../time/monotonic.js';

/** A member a writer waits for: its id, and how long its lease had left (ms, the tier node's clock). */
export interface PendingMember {
  readonly id: string;
  readonly leftMs: number;
}

/** What the barrier asks the tier node: of `ids`, those that have not applied `epoch` and still hold a lease. */
export type CheckMembers = (
  epoch: number,
  inc: string,
  ids: readonly string[],
) => Promise<PendingMember[] | 'lost' | 'fault'>;

interface Wait {
  readonly epoch: number;
  readonly pending: Set<string>;
  readonly done: () => void;
}

const POLL_MS = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * A writer's wait after publishing an invalidation: until every member whose
 * lease ran has applied it (its acknowledgement), or its lease has lapsed
 * (then it serves nothing from its tier any more). Lease time left is a
 * duration measured by the tier node and waited for here: clocks of two
 * machines are never compared. A member that keeps renewing without
 * applying is refused renewal after `maxLag`, so the wait is bounded by
 * `maxLag + lease` (and capped at that, plus a margin).
 */
export class WriteBarrier {
  private readonly waits = new Set<Wait>();

  constructor(
    private readonly check: CheckMembers,
    private readonly capMs: number,
    private readonly marginMs: number,
  ) {}

  /** A member applied `epoch` (its acknowledgement on the bus). */
  acked(id: string, epoch: number): void {
    for (const w of this.waits) {
      if (epoch >= w.epoch && w.pending.delete(id) && w.pending.size === 0) {
        w.done();
      }
    }
  }

  async wait(
    epoch: number,
    inc: string,
    members: readonly PendingMember[],
  ): Promise<void> {
    if (members.length === 0) return;
    const deadline = monotonicMs() + this.capMs;
    let left = new Map(members.map((m) => [m.id, m.leftMs]));
    let done!: () => void;
    const allAcked = new Promise<void>((resolve) => (done = resolve));
    const w: Wait = { epoch, pending: new Set(left.keys()), done };
    this.waits.add(w);
    try {
      while (w.pending.size > 0 && monotonicMs() < deadline) {
        let soonest = POLL_MS;
        for (const id of w.pending) {
          soonest = Math.min(soonest, (left.get(id) ?? 0) + this.marginMs);
        }
        await Promise.race([allAcked, sleep(Math.max(1, soonest))]);
        if (w.pending.size === 0) return;
        const still = await this.check(epoch, inc, Array.from(w.pending));
        if (still === 'lost') return;
        if (still === 'fault') {
          // out of reach of the tier node: a member that missed the epoch
          // can renew at most for `maxLag` more, so its lease lapses by the cap
          await sleep(Math.max(0, deadline - monotonicMs()) + this.marginMs);
          return;
        }
        left = new Map(still.map((m) => [m.id, m.leftMs]));
        for (const id of w.pending) if (!left.has(id)) w.pending.delete(id);
      }
    } finally {
      this.waits.delete(w);
    }
  }

  /** Waits out every lease that may have been granted (the tier's state was lost). */
  waitOutLeases(leaseMs: number): Promise<void> {
    return sleep(leaseMs + this.marginMs);
  }
}
