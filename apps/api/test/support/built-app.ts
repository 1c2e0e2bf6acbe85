import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { request, type Agent } from 'node:http';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  registerChildProcess,
  testRunDir,
} from '../../../../test/support/test-run.js';

/** The repository root. */
export const REPO_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../..',
);
/** What `npm run build` produces and `npm run start:prod` runs. */
export const BUILT_MAIN = join(REPO_ROOT, 'dist', 'apps', 'api', 'main.js');

/** Everything the bundle is built from. */
const BUILD_INPUTS = [
  'apps/api/src',
  'libs/lexikon-cache/src',
  'apps/api/rspack.config.js',
  'apps/api/tsconfig.app.json',
  'nest-cli.json',
  'tsconfig.json',
  'package.json',
];

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

/**
 * Builds the app (as `npm run build` does) unless dist/apps/api/main.js is newer than
 * every source it is built from. Returns the path of main.js.
 */
export async function ensureBuiltApp(): Promise<string> {
  const inputs = BUILD_INPUTS.map((path) => join(REPO_ROOT, path)).filter(
    existsSync,
  );
  const fresh =
    existsSync(BUILT_MAIN) &&
    statSync(BUILT_MAIN).mtimeMs > Math.max(...inputs.map(newestMtime));
  if (!fresh) {
    // what `npm run build` runs
    const nest = join(
      REPO_ROOT,
      'node_modules',
      '@nestjs',
      'cli',
      'bin',
      'nest.js',
    );
    await promisify(execFile)(process.execPath, [nest, 'build', 'api'], {
      cwd: REPO_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
  }
  return BUILT_MAIN;
}

export interface BuiltAppProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves once a line of the output matches. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Resolves with how the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running (for afterEach). */
  kill(): Promise<void>;
}

/**
 * Runs the built app (`node dist/apps/api/main.js`) as a child process with
 * exactly `env` (plus PATH), in an empty working directory (no `.env`).
 */
export function spawnBuiltApp(
  main: string,
  port: number,
  env: Record<string, string>,
): BuiltAppProcess {
  const cwd = mkdtempSync(join(testRunDir(), 'api-'));
  const child = spawn(process.execPath, [main], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      NO_COLOR: '1',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) registerChildProcess(child.pid, 'lexikon-api');
  let text = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolveExit) => {
    child.once('exit', (code, signal) => {
      for (const listener of listeners) listener();
      resolveExit({ code, signal });
    });
  });
  return {
    child,
    port,
    output: () => text,
    exited,
    waitForOutput: (pattern, timeoutMs) =>
      new Promise<void>((resolveWait, reject) => {
        const check = (): void => {
          if (pattern.test(text)) {
            done();
            resolveWait();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            done();
            reject(
              new Error(`the app exited before printing ${pattern}:\n${text}`),
            );
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `the app did not print ${pattern} within ${timeoutMs} ms:\n${text}`,
            ),
          );
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      }),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export interface HttpAnswer {
  status: number;
  body: unknown;
  /** Time to the complete answer, in ms. */
  ms: number;
}

/** One HTTP request, on a connection of its own unless an agent is given. */
export function httpCall(
  port: number,
  method: string,
  path: string,
  body?: unknown,
  agent: Agent | false = false,
): Promise<HttpAnswer> {
  const started = performance.now();
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolveCall, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: payload
          ? {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
            }
          : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolveCall({
            status: res.statusCode ?? 0,
            body: parsed,
            ms: performance.now() - started,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** Whether a TCP connection to the port is accepted right now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolveConnect) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolveConnect(true);
    });
    socket.once('error', () => resolveConnect(false));
  });
}
