import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Set by the global setup (start-services.ts) before any worker starts.
export const RUN_ID_ENV = 'LEXIKON_TEST_RUN_ID';
export const RUN_DIR_ENV = 'LEXIKON_TEST_RUN_DIR';
/** File in the run dir listing processes started by test files: `<pid> <name>` lines. */
export const CHILDREN_FILE = 'children';
/** File in the run dir with the {@link RunState}. */
const STATE_FILE = 'state.json';

/** What the global setup started, for the global teardown to stop. */
export interface RunState {
  runId: string;
  started: { name: string; pid: number; stopSignal: NodeJS.Signals }[];
  /** Then the run's databases go with the server. */
  postgresStarted: boolean;
}

export function writeRunState(runDir: string, state: RunState): void {
  writeFileSync(join(runDir, STATE_FILE), JSON.stringify(state));
}

/** The run's state, or undefined when the setup wrote none. */
export function readRunState(runDir: string): RunState | undefined {
  try {
    return JSON.parse(
      readFileSync(join(runDir, STATE_FILE), 'utf8'),
    ) as RunState;
  } catch {
    return undefined;
  }
}

/** Short id of this jest run, or undefined outside the global setup. */
export function testRunId(): string | undefined {
  return process.env[RUN_ID_ENV] || undefined;
}

/**
 * Directory for this jest run's temporary files; global-teardown.ts removes
 * it. Falls back to the OS temp dir when the global setup did not run.
 */
export function testRunDir(): string {
  return process.env[RUN_DIR_ENV] || tmpdir();
}

/**
 * Records a process started by a test file, so that global-teardown.ts can
 * kill it if the test file (or its worker) did not stop it.
 */
export function registerChildProcess(pid: number, name: string): void {
  const runDir = process.env[RUN_DIR_ENV];
  if (!runDir) return;
  try {
    appendFileSync(join(runDir, CHILDREN_FILE), `${pid} ${name}\n`);
  } catch {
    // best effort: the run dir may be gone already
  }
}
