import type { Test } from 'supertest';

/** A response, or `status: 'no answer'` when none came within the wait. */
export interface Answer {
  status: number | 'no answer';
  body: unknown;
  headers: Record<string, string | undefined>;
  ms: number;
}

/**
 * Sends `request` and measures how long the answer took. Waits at most
 * `waitMs`, so that a request that hangs fails its test with a message
 * instead of the test's timeout.
 */
export async function answer(request: Test, waitMs = 8000): Promise<Answer> {
  const started = performance.now();
  try {
    const response = await request.timeout(waitMs);
    return {
      status: response.status,
      body: response.body as unknown,
      headers: response.headers as Record<string, string | undefined>,
      ms: performance.now() - started,
    };
  } catch (error) {
    if ((error as { timeout?: unknown }).timeout === undefined) throw error;
    return {
      status: 'no answer',
      body: undefined,
      headers: {},
      ms: performance.now() - started,
    };
  }
}

/** Polls `read` until it returns `expected` or `timeoutMs` passed; returns the last value. */
export async function eventually<T>(
  read: () => Promise<T>,
  expected: T,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (last !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}
