import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onCleanup, trackPid, untrackPid } from '../support/cleanup.js';
import { READY_MARK, type BenchServerConfig } from '../server/server-config.js';

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 5_000;

const SERVER_ENTRY = fileURLToPath(
  new URL('../server/bench-server.js', import.meta.url),
);
const REGISTER_ALIAS = fileURLToPath(
  new URL('../support/register-alias.js', import.meta.url),
);

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/** A bench server child process (see server/bench-server.ts). */
export class BenchServerProcess {
  private output = '';
  /** Warning and error lines the server logged after it was ready. */
  readonly warnings: string[] = [];
  private unregister: () => void = () => undefined;

  private constructor(
    readonly config: BenchServerConfig,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly pid: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get name(): string {
    return `${this.config.variant}/${this.config.adapter}`;
  }

  /** Starts the server, pinned to `cpu` with taskset when given, and waits until it listens. */
  static async start(
    config: BenchServerConfig,
    cpu: number | undefined,
  ): Promise<BenchServerProcess> {
    const node = [
      process.execPath,
      '--import',
      REGISTER_ALIAS,
      SERVER_ENTRY,
      JSON.stringify(config),
    ];
    const [cmd, ...args] =
      cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node];
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (child.pid !== undefined) trackPid(child.pid);
    let output = '';
    const ready = new Promise<{ port: number; pid: number }>(
      (resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `bench server ${config.variant}/${config.adapter} did not start within ${START_TIMEOUT_MS} ms:\n${output}`,
              ),
            ),
          START_TIMEOUT_MS,
        );
        const onData = (chunk: Buffer) => {
          output += chunk.toString('utf8');
          const at = output.indexOf(READY_MARK);
          const nl = at < 0 ? -1 : output.indexOf('\n', at);
          if (nl >= 0) {
            clearTimeout(timer);
            resolve(
              JSON.parse(output.slice(at + READY_MARK.length, nl)) as {
                port: number;
                pid: number;
              },
            );
          }
        };
        child.stdout?.on('data', onData);
        child.stderr?.on('data', (c: Buffer) => (output += c.toString('utf8')));
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
        child.once('exit', (code, signal) => {
          clearTimeout(timer);
          reject(
            new Error(
              `bench server ${config.variant}/${config.adapter} exited (${signal ?? code}) before it was ready:\n${output}`,
            ),
          );
        });
      },
    );
    let info: { port: number; pid: number };
    try {
      info = await ready;
    } catch (err) {
      if (!exited(child)) child.kill('SIGKILL');
      if (child.pid !== undefined) untrackPid(child.pid);
      throw err;
    }
    if (info.pid !== child.pid) {
      child.kill('SIGKILL');
      throw new Error(
        `bench server reported pid ${info.pid}, spawned ${child.pid}: cannot measure its CPU`,
      );
    }
    const server = new BenchServerProcess(config, child, info.port, info.pid);
    server.output = output;
    // keep draining its output; surface warnings and errors
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    const relay = (c: Buffer) => {
      const text = c.toString('utf8');
      server.output = (server.output + text).slice(-20_000);
      for (const line of text.split('\n')) {
        // eslint-disable-next-line no-control-regex
        const plain = line.replace(/\u001b\[[0-9;]*m/g, '').trim();
        if (/\b(WARN|ERROR)\b/.test(plain) && server.warnings.length < 20)
          server.warnings.push(
            plain.replace(/^\[Nest\]\s+\d+\s+-\s+\S+,\s+\S+\s+\S+\s+/, ''),
          );
      }
      process.stderr.write(
        text.replace(/^(?=.)/gm, `[${config.variant}/${config.adapter}] `),
      );
    };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
    server.unregister = onCleanup(`server ${server.name}`, () => server.stop());
    return server;
  }

  get running(): boolean {
    return !exited(this.child);
  }

  /** Throws, with the server's last output, when it is no longer running. */
  assertRunning(): void {
    if (!exited(this.child)) return;
    throw new Error(
      `bench server ${this.name} exited (${this.child.signalCode ?? this.child.exitCode}):\n${this.output.slice(-4000)}`,
    );
  }

  /** Recent output, for error messages. */
  get log(): string {
    return this.output;
  }

  /** SIGTERM (the app closes its connections), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    this.unregister();
    if (!exited(this.child)) {
      const gone = new Promise<void>((resolve) =>
        this.child.once('exit', () => resolve()),
      );
      this.child.kill('SIGTERM');
      const timer = setTimeout(
        () => this.child.kill('SIGKILL'),
        STOP_TIMEOUT_MS,
      );
      await gone;
      clearTimeout(timer);
    }
    untrackPid(this.pid);
  }
}
