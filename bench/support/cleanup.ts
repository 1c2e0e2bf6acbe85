/**
 * Everything the bench starts is registered here, so that it is stopped on
 * every way out: normal end, a thrown error, Ctrl-C (SIGINT), SIGTERM or
 * SIGHUP. Processes are also SIGKILLed synchronously when the runner exits,
 * as a last resort.
 */
type Cleanup = () => Promise<void> | void;

const cleanups: { name: string; run: Cleanup }[] = [];
const livePids = new Set<number>();
let running: Promise<void> | undefined;

/** Registers an async cleanup; they run last-registered first. Returns an unregister function. */
export function onCleanup(name: string, run: Cleanup): () => void {
  const entry = { name, run };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

/** A child process to SIGKILL if the runner exits while it still runs. */
export function trackPid(pid: number): void {
  livePids.add(pid);
}

export function untrackPid(pid: number): void {
  livePids.delete(pid);
}

/** Runs every registered cleanup once (later calls wait for the first). */
export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (cleanups.length > 0) {
      const entry = cleanups.pop();
      if (!entry) break;
      try {
        await entry.run();
      } catch (err) {
        process.stderr.write(
          `bench: cleanup "${entry.name}" failed: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    }
  })();
  return running;
}

function killLeftovers(): void {
  for (const pid of livePids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  livePids.clear();
}

/** Installs the signal and exit handlers. Call once, first thing. */
export function installCleanupHandlers(): void {
  const onSignal = (signal: NodeJS.Signals, code: number) => {
    process.stderr.write(`\nbench: ${signal} received, stopping everything\n`);
    const force = setTimeout(() => {
      killLeftovers();
      process.exit(code);
    }, 10_000);
    force.unref();
    void runCleanups().finally(() => {
      killLeftovers();
      process.exit(code);
    });
  };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));
  process.once('SIGHUP', () => onSignal('SIGHUP', 129));
  process.on('exit', killLeftovers);
}
