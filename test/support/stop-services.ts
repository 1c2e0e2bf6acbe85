import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  isProcessRunning,
  signalProcess,
  waitForProcessExit,
} from '../../apps/api/src/database/embedded-postgres/process-state.js';
import { dropDatabase, withPg } from './pg.js';
import {
  CHILDREN_FILE,
  readRunState,
  RUN_DIR_ENV,
  RUN_ID_ENV,
} from './test-run.js';

/** Sends `signal` (and SIGCONT, in case it was paused); SIGKILL if it lingers. */
async function stopProcess(
  pid: number,
  name: string,
  signal: NodeJS.Signals,
): Promise<boolean> {
  if (!isProcessRunning(pid, name)) return false;
  signalProcess(pid, signal);
  signalProcess(pid, 'SIGCONT');
  if (!(await waitForProcessExit(pid, 10_000, name))) {
    signalProcess(pid, 'SIGKILL');
    await waitForProcessExit(pid, 5_000, name);
  }
  return true;
}

/** Processes test files started (RedisServerProcess, ...) and did not stop. */
async function killLeftoverChildren(
  runDir: string,
  services: ReadonlySet<number>,
): Promise<void> {
  let lines: string[];
  try {
    lines = readFileSync(join(runDir, CHILDREN_FILE), 'utf8').split('\n');
  } catch {
    return;
  }
  const children = lines
    .map((line) => line.split(' '))
    .map(([pid, name]) => ({ pid: Number(pid), name }))
    .filter(({ pid, name }) => pid > 0 && name && !services.has(pid));
  const killed = await Promise.all(
    children.map(({ pid, name }) => stopProcess(pid, name, 'SIGKILL')),
  );
  const count = killed.filter(Boolean).length;
  if (count > 0) {
    process.stderr.write(
      `Test teardown: killed ${count} process(es) test files left running (stop them in afterAll)\n`,
    );
  }
}

/** Per-file databases of this run that createTestDatabase() left behind. */
async function dropLeftoverDatabases(
  adminUrl: string,
  runId: string,
): Promise<void> {
  try {
    await withPg(adminUrl, async (admin) => {
      const { rows } = await admin.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE datname LIKE $1',
        [`lexikon\\_test\\_${runId}\\_%`],
      );
      for (const { datname } of rows) await dropDatabase(admin, datname);
    });
  } catch (error) {
    process.stderr.write(
      `Test teardown: could not drop leftover test databases: ${String(error)}\n`,
    );
  }
}

/**
 * Jest globalTeardown (through global-teardown.ts): kills processes test
 * files left running, drops the run's leftover databases on a server it did
 * not start, stops what start-services.ts started and removes the run dir.
 */
export async function stopServices(): Promise<void> {
  const runDir = process.env[RUN_DIR_ENV];
  if (!runDir) return;
  const state = readRunState(runDir);
  const services = state?.started ?? [];

  await killLeftoverChildren(runDir, new Set(services.map(({ pid }) => pid)));
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (state && !state.postgresStarted && adminUrl) {
    await dropLeftoverDatabases(adminUrl, state.runId);
  }
  await Promise.all(
    services.map(({ pid, name, stopSignal }) =>
      stopProcess(pid, name, stopSignal),
    ),
  );
  rmSync(runDir, { recursive: true, force: true });
  for (const name of [
    RUN_ID_ENV,
    RUN_DIR_ENV,
    'TEST_REDIS_URL',
    'TEST_DATABASE_URL',
    'TEST_PG_ADMIN_URL',
  ]) {
    delete process.env[name];
  }
}
