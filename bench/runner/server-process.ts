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

/** What to start: a Node entry (run with the alias hook), its arguments and environment. */
export interface ServerSpec {
  /** For logs and errors, e.g. `bare/fastify`. */
  readonly name: string;
  /** Absolute path of the compiled entry. */
  readonly entry: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Working directory (default: the runner's). */
  readonly cwd?: string;
}

/**
 * A server child process that prints `READY_MARK {port, pid}` once it
 * listens on loopback: the bench servers (server/bench-server.ts) and the
 * API (server/api-server.ts).
 */
export class ServerProcess {
  private output = '';
  /** Warning and error lines the server logged after it was ready. */
  readonly warnings: string[] = [];
  private unregister: () => void = () => undefined;

  protected constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    readonly port: number,
    readonly pid: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the server, pinned to `cpu` with taskset when given, and waits until it listens. */
  static async launch(
    spec: ServerSpec,
    cpu: number | undefined,
  ): Promise<ServerProcess> {
    const { child, info, output } = await ServerProcess.spawn(spec, cpu);
    const server = new ServerProcess(spec.name, child, info.port, info.pid);
    server.attach(output);
    return server;
  }

  protected static async spawn(
    spec: ServerSpec,
    cpu: number | undefined,
  ): Promise<{
    child: ChildProcess;
    info: { port: number; pid: number };
    output: string;
  }> {
    const profileDir = process.env['BENCH_CPU_PROF_DIR'];
    const node = [
      process.execPath,
      // every server writes a CPU profile there when it stops (SIGTERM)
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      '--import',
      REGISTER_ALIAS,
      spec.entry,
      ...spec.args,
    ];
    const [cmd, ...args] =
      cpu === undefined ? node : ['taskset', '-c', String(cpu), ...node];
    const child = spawn(cmd, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: spec.env,
      cwd: spec.cwd,
    });
    if (child.pid !== undefined) trackPid(child.pid);
    let output = '';
    const ready = new Promise<{ port: number; pid: number }>(
      (resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `${spec.name} did not start within ${START_TIMEOUT_MS} ms:\n${output}`,
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
              `${spec.name} exited (${signal ?? code}) before it was ready:\n${output}`,
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
        `${spec.name} reported pid ${info.pid}, spawned ${child.pid}: cannot measure its CPU`,
      );
    }
    return { child, info, output };
  }

  /** Keeps draining the server's output, surfacing warnings and errors; registers the stop. */
  protected attach(output: string): void {
    const child = this.child;
    this.output = output;
    child.stdout?.removeAllListeners('data');
    child.stderr?.removeAllListeners('data');
    const relay = (c: Buffer) => {
      const text = c.toString('utf8');
      this.output = (this.output + text).slice(-20_000);
      for (const line of text.split('\n')) {
        // eslint-disable-next-line no-control-regex
        const plain = line.replace(/\u001b\[[0-9;]*m/g, '').trim();
        if (/\b(WARN|ERROR)\b/.test(plain) && this.warnings.length < 20)
          this.warnings.push(
            plain.replace(/^\[Nest\]\s+\d+\s+-\s+\S+,\s+\S+\s+\S+\s+/, ''),
          );
      }
      process.stderr.write(text.replace(/^(?=.)/gm, `[${this.name}] `));
    };
    child.stdout?.on('data', relay);
    child.stderr?.on('data', relay);
    this.unregister = onCleanup(`server ${this.name}`, () => this.stop());
  }

  get running(): boolean {
    return !exited(this.child);
  }

  /** Throws, with the server's last output, when it is no longer running. */
  assertRunning(): void {
    if (!exited(this.child)) return;
    throw new Error(
      `${this.name} exited (${this.child.signalCode ?? this.child.exitCode}):\n${this.output.slice(-4000)}`,
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

/** A bench server: one variant on one adapter (see server/bench-server.ts). */
export class BenchServerProcess extends ServerProcess {
  private constructor(
    readonly config: BenchServerConfig,
    child: ChildProcess,
    port: number,
    pid: number,
  ) {
    super(`${config.variant}/${config.adapter}`, child, port, pid);
  }

  static async start(
    config: BenchServerConfig,
    cpu: number | undefined,
  ): Promise<BenchServerProcess> {
    const { child, info, output } = await ServerProcess.spawn(
      {
        name: `${config.variant}/${config.adapter}`,
        entry: SERVER_ENTRY,
        args: [JSON.stringify(config)],
        env: { ...process.env, NODE_ENV: 'production' },
      },
      cpu,
    );
    const server = new BenchServerProcess(config, child, info.port, info.pid);
    server.attach(output);
    return server;
  }
}
