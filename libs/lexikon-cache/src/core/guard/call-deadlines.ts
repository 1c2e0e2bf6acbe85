import { monotonicMs } from '../time/monotonic.js';

/** A store call that outlived the command timeout; the call itself may still finish later. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
}

interface Pending {
  readonly at: number;
  readonly reject: (err: Error) => void;
  settled: boolean;
}

/**
 * Bounds calls by one timeout without a timer per call: calls are queued in
 * the order they start (so by deadline, all having the same timeout), and
 * one interval, running only while calls are pending, rejects the overdue.
 * A call is thus bounded by the timeout plus at most one tick. A tick that
 * comes far too late means this process was not running (SIGSTOP, a long
 * GC pause, a starved CPU): the store's answers may be waiting unread, so
 * every pending call gets one more timeout instead of failing for our stall.
 */
export class CallDeadlines {
  private readonly queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;
  private readonly stallMs: number;
  private lastSweep = 0;
  /** No pending call times out before this (set after a stall). */
  private extendedUntil = 0;

  constructor(private readonly timeoutMs: number) {
    this.tickMs = Math.max(5, Math.min(50, Math.floor(timeoutMs / 5)));
    this.stallMs = Math.max(100, timeoutMs / 2);
  }

  /**
   * Settles with `onValue(value)` when `call` answers in time, else with
   * `onError(err)` (its error, or a `CallTimeoutError` at the deadline): one
   * promise per call, which never rejects unless a handler throws.
   */
  settle<T, R>(
    call: Promise<T>,
    onValue: (value: T) => R,
    onError: (err: unknown) => R,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const pending = this.enqueue((err) => {
        try {
          resolve(onError(err));
        } catch (thrown) {
          reject(thrown as Error);
        }
      });
      call.then(
        (value) => {
          if (pending.settled) return;
          pending.settled = true;
          try {
            resolve(onValue(value));
          } catch (thrown) {
            reject(thrown as Error);
          }
        },
        (err: unknown) => {
          if (pending.settled) return;
          pending.settled = true;
          pending.reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  /**
   * As `settle`, for a call of several round trips (a SCAN walk): each
   * `alive()`, told when one of them answered, gives the call a fresh
   * timeout, so that a long walk on a live server is not taken for a hang.
   */
  settleWalk<T, R>(
    start: (alive: () => void) => Promise<T>,
    onValue: (value: T) => R,
    onError: (err: unknown) => R,
  ): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const fail = (err: unknown): void => {
        try {
          resolve(onError(err));
        } catch (thrown) {
          reject(thrown as Error);
        }
      };
      let current = this.enqueue(fail);
      // the queue stays in deadline order: the old entry is dropped, a new one queued
      const alive = (): void => {
        if (current.settled) return;
        current.settled = true;
        current = this.enqueue(fail);
      };
      start(alive).then(
        (value) => {
          if (current.settled) return;
          current.settled = true;
          try {
            resolve(onValue(value));
          } catch (thrown) {
            reject(thrown as Error);
          }
        },
        (err: unknown) => {
          if (current.settled) return;
          current.settled = true;
          fail(err);
        },
      );
    });
  }

  private enqueue(reject: (err: Error) => void): Pending {
    const p: Pending = {
      at: monotonicMs() + this.timeoutMs,
      reject,
      settled: false,
    };
    this.queue.push(p);
    if (this.timer === undefined) this.arm();
    return p;
  }

  private arm(): void {
    this.lastSweep = monotonicMs();
    this.timer = setInterval(this.sweep, this.tickMs);
    this.timer.unref();
  }

  private readonly sweep = (): void => {
    const now = monotonicMs();
    if (now - this.lastSweep > this.tickMs + this.stallMs)
      this.extendedUntil = now + this.timeoutMs;
    this.lastSweep = now;
    const q = this.queue;
    while (this.head < q.length) {
      const p = q[this.head];
      if (!p.settled) {
        if (p.at > now || this.extendedUntil > now) break;
        p.settled = true;
        p.reject(
          new CallTimeoutError(
            `no answer within the command timeout (${this.timeoutMs} ms)`,
          ),
        );
      }
      this.head++;
    }
    if (this.head === q.length) {
      q.length = 0;
      this.head = 0;
      clearInterval(this.timer);
      this.timer = undefined;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      q.splice(0, this.head);
      this.head = 0;
    }
  };

  /** Calls not settled yet (for tests and metrics). */
  get pending(): number {
    let n = 0;
    for (let i = this.head; i < this.queue.length; i++)
      if (!this.queue[i].settled) n++;
    return n;
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
