import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isProcessRunning,
  signalProcess,
  waitForProcessExit,
} from './process-state.js';

/**
 * Holds the pid of the process that started the server on a data directory
 * (postgres-starter.ts writes it), to tell a server in use from an orphan
 * whose starter was killed.
 */
export const OWNER_FILE = 'lexikon.owner';

export type PostmasterState =
  | { kind: 'none' }
  /** postmaster.pid named no running PostgreSQL and was removed. */
  | { kind: 'stale' }
  | { kind: 'running'; pid: number; port: number; ownerAlive: boolean };

async function readFirstNumber(
  file: string,
  line = 0,
): Promise<number | undefined> {
  try {
    const value = Number.parseInt(
      (await readFile(file, 'utf8')).split('\n')[line] ?? '',
      10,
    );
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What `postmaster.pid` in `dataDir` says. A pid file whose process is gone
 * or is no PostgreSQL (PostgreSQL was SIGKILLed, the pid was reused) is
 * removed: PostgreSQL would refuse to start on it when the pid is alive.
 */
export async function inspectPostmaster(
  dataDir: string,
): Promise<PostmasterState> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return { kind: 'none' };
  const pid = await readFirstNumber(pidFile);
  // line 4 of postmaster.pid is the port
  const port = await readFirstNumber(pidFile, 3);
  if (pid === undefined || !isProcessRunning(pid, 'postgres')) {
    await rm(pidFile, { force: true });
    return { kind: 'stale' };
  }
  const owner = await readFirstNumber(join(dataDir, OWNER_FILE));
  return {
    kind: 'running',
    pid,
    port: port ?? 0,
    ownerAlive: owner !== undefined && isProcessRunning(owner),
  };
}

/**
 * Stops a PostgreSQL that is not our child (an orphan of a killed run): fast
 * shutdown (SIGINT), then immediate shutdown (SIGQUIT).
 *
 * @throws Error when it still runs after both.
 */
export async function stopPostmaster(
  pid: number,
  timeoutMs = 15_000,
): Promise<void> {
  signalProcess(pid, 'SIGINT');
  if (await waitForProcessExit(pid, timeoutMs, 'postgres')) return;
  signalProcess(pid, 'SIGQUIT');
  if (await waitForProcessExit(pid, 5_000, 'postgres')) return;
  throw new Error(`PostgreSQL (pid ${pid}) did not stop; stop it and retry`);
}
