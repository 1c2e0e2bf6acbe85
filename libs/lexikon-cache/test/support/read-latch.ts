import { jest } from '@jest/globals';
import type { CacheStore } from '../../src/core/store/cache-store.js';

/**
 * Counts the reads a store answers, so that a loader can hold until a
 * concurrent caller has read the store too and acted on the answer (joined
 * the load in flight, or not): the two calls then really overlap, whatever
 * the scheduling.
 */
export class ReadLatch {
  private answered = 0;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly spy;

  constructor(store: CacheStore) {
    const read = store.read.bind(store);
    this.spy = jest.spyOn(store, 'read').mockImplementation(async (...args) => {
      const outcome = await read(...args);
      this.answered++;
      this.wake();
      return outcome;
    });
  }

  reset(): void {
    this.answered = 0;
  }

  /**
   * Resolves once `count` reads were answered and their callers went on
   * (a macrotask later); rejects after `boundMs`.
   */
  reads(count: number, boundMs = 5_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `only ${this.answered} of ${count} store reads within ${boundMs} ms`,
            ),
          ),
        boundMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          setImmediate(resolve);
        },
      });
      this.wake();
    });
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.count <= this.answered);
    this.waiters = this.waiters.filter((w) => w.count > this.answered);
    for (const w of ready) w.resolve();
  }

  restore(): void {
    this.spy.mockRestore();
  }
}
