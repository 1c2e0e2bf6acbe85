import { CallDeadlines } from './call-deadlines.js';

/** Keeps the event loop from running, as SIGSTOP or a long GC pause would. */
function stallFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

const later = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('CallDeadlines', () => {
  it('times out a call that does not answer', async () => {
    const deadlines = new CallDeadlines(50);
    const r = await deadlines.settle(
      new Promise<string>(() => undefined),
      (v) => v,
      (e) => (e as Error).message,
    );
    expect(r).toBe('no answer within the command timeout (50 ms)');
    deadlines.close();
  });

  it('does not blame the store for a stall of this process: its answer, read after the stall, is taken', async () => {
    const deadlines = new CallDeadlines(100);
    const settled = deadlines.settle(
      later(60, 'answer'),
      (v) => v,
      (e) => (e as Error).message,
    );
    await later(10, undefined);
    stallFor(400);
    expect(await settled).toBe('answer');
    deadlines.close();
  });

  it('still times out a call that stays silent after the stall', async () => {
    const deadlines = new CallDeadlines(100);
    const started = performance.now();
    const settled = deadlines.settle(
      new Promise<string>(() => undefined),
      (v) => v,
      (e) => (e as Error).message,
    );
    await later(10, undefined);
    stallFor(400);
    expect(await settled).toMatch(/command timeout/);
    // one more timeout after the stall, not forever
    expect(performance.now() - started).toBeLessThan(400 + 100 + 200);
    deadlines.close();
  });

  describe('a walk of several round trips', () => {
    // six steps of 40 ms: past the 100 ms timeout in all, none of them alone
    const walk = async (alive: () => void, tell: boolean) => {
      for (let i = 0; i < 6; i++) {
        await later(40, undefined);
        if (tell) alive();
      }
      return 'walked';
    };

    it('is given a fresh timeout by each answered step', async () => {
      const deadlines = new CallDeadlines(100);
      const r = await deadlines.settleWalk(
        (alive) => walk(alive, true),
        (v) => v,
        (e) => (e as Error).message,
      );
      expect(r).toBe('walked');
      deadlines.close();
    });

    it('times out when its steps do not tell', async () => {
      const deadlines = new CallDeadlines(100);
      const r = await deadlines.settleWalk(
        (alive) => walk(alive, false),
        (v) => v,
        (e) => (e as Error).message,
      );
      expect(r).toMatch(/command timeout/);
      deadlines.close();
    });
  });
});
