/**
 * Awaits `call()`, failing after `boundMs` instead of hanging the suite;
 * resolves to its value and how long it took.
 */
export async function within<T>(
  boundMs: number,
  call: () => Promise<T>,
): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`did not settle within ${boundMs} ms`)),
      boundMs,
    );
  });
  try {
    const value = await Promise.race([call(), bound]);
    return { value, ms: performance.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every 50 ms until it holds, failing after `boundMs`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean> | boolean,
  boundMs = 5_000,
): Promise<void> {
  const deadline = performance.now() + boundMs;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) {
      throw new Error(`${what}: not within ${boundMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
