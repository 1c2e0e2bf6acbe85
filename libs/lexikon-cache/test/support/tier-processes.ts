import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { registerChildProcess } from '../../../../test/support/test-run.js';
import type { Duration } from '@lexikon/cache';
import { buildOnce, LIB_ROOT, REPO_ROOT, sourceFiles } from './child-build.js';

/** How a tier-app process is configured (see tier-app/tier-app.ts). */
export interface TierAppConfig {
  readonly cacheUrl: string;
  readonly sourceUrl: string;
  readonly keyPrefix: string;
  readonly source: string;
  readonly l1: { lease: Duration; maxLag: Duration } | false;
  readonly busUrl?: string;
}

const READY_TIMEOUT_MS = 30_000;

function builtApp(): Promise<string> {
  const src = join(LIB_ROOT, 'src');
  return buildOnce({
    name: 'tier-app',
    entry: join(LIB_ROOT, 'test', 'support', 'tier-app', 'tier-app.ts'),
    rootDir: LIB_ROOT,
    tsconfig: join(REPO_ROOT, 'tsconfig.json'),
    inputs: [
      ...sourceFiles(join(src, 'core')),
      ...sourceFiles(join(src, 'declarative')),
      ...sourceFiles(join(src, 'nest')),
      join(src, 'index.ts'),
      join(LIB_ROOT, 'test', 'support', 'tier-app', 'tier-app.ts'),
      join(REPO_ROOT, 'tsconfig.json'),
    ],
  });
}

/** One application instance in a process of its own, to pause, resume or stop. */
export class TierProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(config: TierAppConfig): Promise<TierProcess> {
    const main = await builtApp();
    const child = spawn(process.execPath, [main, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (child.pid !== undefined) registerChildProcess(child.pid, 'node');
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`tier app not ready:\n${output}`)),
        READY_TIMEOUT_MS,
      );
      const onData = (c: Buffer) => {
        output += c.toString();
        const m = /READY (\d+)/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`tier app exited (${code}):\n${output}`));
      });
    });
    return new TierProcess(child, port);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(this.url + path, {
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return (await res.json()) as T;
  }

  async post(path: string): Promise<void> {
    const res = await fetch(this.url + path, {
      method: 'POST',
      signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) throw new Error(`POST ${path}: ${res.status}`);
  }

  /** SIGSTOP: the process stops, its connections stay open. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.resume();
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}
