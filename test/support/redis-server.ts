import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  hasExited,
  waitForChildExit,
} from '../../apps/api/src/database/embedded-postgres/process-state.js';
import { findFreePort } from './free-port.js';
import { pingRedis } from './redis-raw.js';
import { registerChildProcess, testRunDir } from './test-run.js';

export interface RedisServerOptions {
  /** Port to listen on; a free loopback port by default. */
  port?: number;
  /** Extra redis-server arguments, e.g. ['--maxmemory', '10mb']. */
  args?: string[];
  /**
   * Keep the data directory across kill() and restart() (removed by stop()),
   * so that a server started with persistence (`--appendonly yes`) reloads
   * what it wrote.
   */
  persistent?: boolean;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const running = new Set<RedisServerProcess>();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

class PortInUseError extends Error {}

/**
 * A throwaway redis-server (found on PATH) on a loopback port, with no
 * persistence, for tests that stop, restart, pause or kill Redis.
 *
 * Stop every instance in afterAll (`stopAllRedisServers()` does it for all).
 * As a last resort global-teardown.ts kills instances a test file left
 * running.
 */
export class RedisServerProcess {
  readonly host = '127.0.0.1';
  private child: ChildProcess | undefined;
  private dir: string | undefined;
  private paused = false;

  private constructor(
    private currentPort: number,
    private readonly extraArgs: readonly string[],
    private readonly persistent = false,
  ) {}

  static async start(
    options: RedisServerOptions = {},
  ): Promise<RedisServerProcess> {
    for (let attempt = 1; ; attempt++) {
      const port = options.port ?? (await findFreePort());
      const server = new RedisServerProcess(
        port,
        options.args ?? [],
        options.persistent,
      );
      try {
        await server.spawnAndWait();
        return server;
      } catch (error) {
        // Another process took the free port between check and bind: pick again.
        const retry =
          error instanceof PortInUseError &&
          options.port === undefined &&
          attempt < 5;
        if (!retry) throw error;
      }
    }
  }

  get port(): number {
    return this.currentPort;
  }

  get url(): string {
    return `redis://${this.host}:${this.currentPort}`;
  }

  /** Process id while the server runs. */
  get pid(): number | undefined {
    return this.child && !hasExited(this.child) ? this.child.pid : undefined;
  }

  /** Between pause() and resume(). */
  get isPaused(): boolean {
    return this.paused;
  }

  get isRunning(): boolean {
    return this.child !== undefined && !hasExited(this.child);
  }

  /** The data directory while it exists (persistent servers keep it between runs). */
  get dataDir(): string | undefined {
    return this.dir;
  }

  /** SIGTERM, then waits until the process has exited and the port is free. */
  async stop(): Promise<void> {
    await this.terminate('SIGTERM');
    this.removeDir(true);
    running.delete(this);
  }

  /** Starts the server again on the same port (stopping it first if needed). */
  async restart(): Promise<void> {
    if (this.isRunning) await this.terminate('SIGTERM');
    const deadline = Date.now() + 3_000;
    for (;;) {
      try {
        await this.spawnAndWait();
        return;
      } catch (error) {
        if (!(error instanceof PortInUseError) || Date.now() > deadline) {
          throw error;
        }
        await sleep(100);
      }
    }
  }

  /** SIGSTOP: the socket stays open but the server answers nothing. */
  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  /** SIGCONT after pause(). */
  resume(): void {
    this.signal('SIGCONT');
    this.paused = false;
  }

  /** SIGKILL (a crash): waits until the process is gone. restart() works after it. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const child = this.child;
    if (!child || hasExited(child)) {
      throw new Error(`redis-server on port ${this.port} is not running`);
    }
    child.kill(signal);
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (child && !hasExited(child)) {
      child.kill(signal);
      // A stopped process only acts on SIGTERM once it is continued.
      if (this.paused) child.kill('SIGCONT');
      if (!(await waitForChildExit(child, STOP_TIMEOUT_MS))) {
        child.kill('SIGKILL');
        await waitForChildExit(child, STOP_TIMEOUT_MS);
      }
    }
    this.paused = false;
    this.child = undefined;
    this.removeDir();
  }

  private removeDir(evenPersistent = false): void {
    if (this.persistent && !evenPersistent) return;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async spawnAndWait(): Promise<void> {
    const dir = this.dir ?? mkdtempSync(join(testRunDir(), 'redis-'));
    const logPath = join(dir, 'redis.log');
    const log = openSync(logPath, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        'redis-server',
        [
          '--port',
          String(this.port),
          '--bind',
          this.host,
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          ...this.extraArgs,
        ],
        { cwd: dir, stdio: ['ignore', log, log] },
      );
    } finally {
      closeSync(log);
    }
    this.dir = dir;
    this.child = child;
    this.paused = false;
    running.add(this);
    // Nothing in the test process waits on it; global teardown kills leftovers.
    child.unref();
    let spawnError: Error | undefined;
    child.once('error', (error) => {
      spawnError = error;
    });
    if (child.pid !== undefined)
      registerChildProcess(child.pid, 'redis-server');

    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (spawnError || hasExited(child)) {
        const output = readLog(logPath);
        this.child = undefined;
        this.removeDir();
        running.delete(this);
        if (/address already in use/i.test(output)) {
          throw new PortInUseError(
            `redis-server could not listen on ${this.host}:${this.port}: address already in use`,
          );
        }
        const missing =
          (spawnError as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
        throw new Error(
          missing
            ? 'redis-server is not on PATH (Debian/Ubuntu: apt-get install redis-server)'
            : `redis-server on port ${this.port} exited before it was ready:\n${output}`,
        );
      }
      if (await pingRedis(this.port, { host: this.host, timeoutMs: 500 })) {
        return;
      }
      if (Date.now() > deadline) {
        const output = readLog(logPath);
        await this.terminate('SIGKILL');
        running.delete(this);
        throw new Error(
          `redis-server on port ${this.port} did not answer PING within ${READY_TIMEOUT_MS} ms:\n${output}`,
        );
      }
      await sleep(20);
    }
  }
}

function readLog(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}

/** Stops every RedisServerProcess this test file started. For afterAll. */
export async function stopAllRedisServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}
