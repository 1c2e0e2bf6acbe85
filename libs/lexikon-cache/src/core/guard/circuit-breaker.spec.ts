import { jest } from '@jest/globals';
import { CircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker', () => {
  afterEach(() => jest.restoreAllMocks());

  it('opens after the threshold, probes after the cool-down, closes on success', async () => {
    const changes: boolean[] = [];
    const breaker = new CircuitBreaker(2, 50, (open) => changes.push(open));
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allow()).toBe(false);
    await new Promise((r) => setTimeout(r, 70));
    expect(breaker.allow()).toBe(true); // the probe
    expect(breaker.allow()).toBe(false); // one probe at a time
    breaker.success();
    expect(breaker.isOpen).toBe(false);
    expect(changes).toEqual([true, false]);
  });

  it('is not kept open by a wall clock stepped backwards', async () => {
    const breaker = new CircuitBreaker(1, 50);
    const now = Date.now();
    breaker.failure();
    jest.spyOn(Date, 'now').mockReturnValue(now - 3_600_000);
    await new Promise((r) => setTimeout(r, 70));
    expect(breaker.allow()).toBe(true);
  });
});
