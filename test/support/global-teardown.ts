/*
 * Jest globalTeardown: stops only what global-setup.ts started, kills
 * processes test files started and left running (listed in the run dir's
 * `children` file by test-run.ts), drops the run's leftover per-file
 * databases and removes the run dir. Like global-setup.ts it imports only
 * packages (jest require()s it); see there for the shared names.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import pgModule from 'pg';

interface RunState {
  runId: string;
  started: { name: string; pid: number; stopSignal: NodeJS.Signals }[];
  postgresStarted: boolean;
}

interface PgClient {
  connect(): Promise<unknown>;
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
const pg = pgModule as unknown as {
  Client: new (config: {
    connectionString: string;
    connectionTimeoutMillis?: number;
  }) => PgClient;
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether `pid` still runs and is the process we started (not a reused pid). */
function isRunning(pid: number, name: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  if (process.platform !== 'linux') return true;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const processState = stat.slice(
      stat.lastIndexOf(')') + 2,
      stat.lastIndexOf(')') + 3,
    );
    if (processState === 'Z') return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(name);
  } catch {
    return false;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone meanwhile
  }
}

async function waitForExit(
  pid: number,
  name: string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid, name)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** Sends `sig` (and SIGCONT, in case it was paused); SIGKILL if it lingers. */
async function stopProcess(
  pid: number,
  name: string,
  sig: NodeJS.Signals,
): Promise<boolean> {
  if (!isRunning(pid, name)) return false;
  signal(pid, sig);
  signal(pid, 'SIGCONT');
  if (!(await waitForExit(pid, name, 10_000))) {
    signal(pid, 'SIGKILL');
    await waitForExit(pid, name, 5_000);
  }
  return true;
}

/** Processes test files started (RedisServerProcess, ...) and did not stop. */
async function killLeftoverChildren(runDir: string): Promise<void> {
  let lines: string[];
  try {
    lines = readFileSync(join(runDir, 'children'), 'utf8').split('\n');
  } catch {
    return;
  }
  const children = lines
    .map((line) => line.split(' '))
    .filter(([pid, name]) => Number(pid) > 0 && name)
    .map(([pid, name]) => ({ pid: Number(pid), name }));
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
  const client = new pg.Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: 5000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`lexikon\\_test\\_${runId}\\_%`],
    );
    const version = await client.query(
      "SELECT current_setting('server_version_num') AS v",
    );
    const force = Number(version.rows[0]?.v) >= 130000 ? ' WITH (FORCE)' : '';
    for (const row of rows) {
      const name = String(row.datname).replace(/"/g, '""');
      await client.query(`DROP DATABASE IF EXISTS "${name}"${force}`);
    }
  } catch (error) {
    process.stderr.write(
      `Test teardown: could not drop leftover test databases: ${String(error)}\n`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalTeardown(): Promise<void> {
  const runDir = process.env.LEXIKON_TEST_RUN_DIR;
  if (!runDir) return;
  let state: RunState | undefined;
  try {
    state = JSON.parse(
      readFileSync(join(runDir, 'state.json'), 'utf8'),
    ) as RunState;
  } catch {
    state = undefined;
  }

  await killLeftoverChildren(runDir);
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (state && !state.postgresStarted && adminUrl) {
    await dropLeftoverDatabases(adminUrl, state.runId);
  }
  if (state) {
    await Promise.all(
      state.started.map(({ pid, name, stopSignal }) =>
        stopProcess(pid, name, stopSignal),
      ),
    );
  }
  rmSync(runDir, { recursive: true, force: true });
  for (const name of [
    'LEXIKON_TEST_RUN_ID',
    'LEXIKON_TEST_RUN_DIR',
    'TEST_REDIS_URL',
    'TEST_DATABASE_URL',
    'TEST_PG_ADMIN_URL',
  ]) {
    delete process.env[name];
  }
}
