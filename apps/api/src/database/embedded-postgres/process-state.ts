import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether `pid` runs. A zombie (killed, not yet reaped) does not. With
 * `executable` (`postgres`), the process must run that program too, where
 * /proc tells: pids are reused, and a pid file may name another program by
 * now.
 */
export function isProcessRunning(pid: number, executable?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.lastIndexOf(')') + 2;
    if (stat.slice(after, after + 1) === 'Z') return false;
    // the kernel keeps the first 15 characters of the program's name
    return (
      executable === undefined ||
      readFileSync(`/proc/${pid}/comm`, 'utf8').trim() ===
        executable.slice(0, 15)
    );
  } catch {
    return false;
  }
}

/** Resolves true once `pid` no longer runs, false when `timeoutMs` passed first. */
export async function waitForProcessExit(
  pid: number,
  timeoutMs: number,
  executable?: string,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessRunning(pid, executable)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** Sends `signal`, ignoring a process that is gone meanwhile. */
export function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** Whether a child process has exited (or was killed by a signal). */
export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves true once `child` has exited, false when `timeoutMs` passed first. */
export function waitForChildExit(
  child: ChildProcess,
  timeoutMs: number,
): Promise<boolean> {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    child.once('exit', onExit);
  });
}
