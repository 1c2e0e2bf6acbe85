import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { registerChildProcess } from '../../../../test/support/test-run.js';
import {
  hasExited,
  waitForChildExit,
} from '../../../../apps/api/src/database/embedded-postgres/process-state.js';

/** What a finished command printed. */
export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment for npm and node children: this process's, without what
 * `npm test` adds about itself (the lifecycle, the package, its local
 * prefix), so that a child npm works on its own folder only.
 */
export function childEnv(
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (
      /^npm_(lifecycle|package)_/i.test(name) ||
      /^npm_(command|execpath|node_execpath)$/i.test(name) ||
      /^npm_config_(local_prefix|dry_run|json|global)$/i.test(name) ||
      name === 'INIT_CWD' ||
      name === 'NODE_OPTIONS'
    ) {
      continue;
    }
    env[name] = value;
  }
  return { ...env, ...extra };
}

/**
 * Runs a command to its end, or kills it (and its process group) after
 * `timeoutMs`; rejects with its output when it fails, unless `allowFailure`.
 */
export function run(
  command: string,
  args: readonly string[],
  options: {
    cwd: string;
    timeoutMs: number;
    env?: NodeJS.ProcessEnv;
    allowFailure?: boolean;
  },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGKILL');
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      const what = `${command} ${args.join(' ')} (in ${options.cwd})`;
      if (timedOut) {
        reject(
          new Error(
            `${what} did not finish within ${options.timeoutMs} ms\n${tail(stdout)}\n${tail(stderr)}`,
          ),
        );
      } else if (code !== 0 && !options.allowFailure) {
        reject(
          new Error(
            `${what} failed (${code ?? signal})\n${tail(stdout)}\n${tail(stderr)}`,
          ),
        );
      } else {
        resolve(result);
      }
    });
  });
}

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid || hasExited(child)) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  optional?: boolean;
  [field: string]: unknown;
}

interface PackageLock {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

/** Where Node would find `name` from the package at `from` (`''` is the root), in a lock's layout. */
function locate(
  packages: Record<string, LockEntry>,
  from: string,
  name: string,
): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate] && !packages[candidate].link) return candidate;
    if (!base) return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at < 0 ? '' : base.slice(0, at);
  }
}

/**
 * A lockfile for an app outside the repository, cut from the repository's
 * own: the packages the app's dependencies need, at the versions and places
 * the repository installed (and so has in npm's cache). What it cannot
 * place is left to `npm install`.
 */
export function lockfileFor(
  repositoryLock: string,
  app: {
    name: string;
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  },
  /** Dependencies of packages the lock does not know (the packed tarball). */
  alsoNeeded: Record<string, string>,
): object {
  const source = JSON.parse(
    readFileSync(repositoryLock, 'utf8'),
  ) as PackageLock;
  const { packages } = source;
  const picked = new Map<string, LockEntry>();
  const queue: [from: string, name: string][] = Object.keys({
    ...app.dependencies,
    ...app.devDependencies,
    ...alsoNeeded,
  }).map((name) => ['', name]);
  while (queue.length > 0) {
    const [from, name] = queue.shift()!;
    const path = locate(packages, from, name);
    if (!path || picked.has(path)) continue;
    const entry = packages[path];
    // what is a dev or peer dependency of the repository is the app's own
    const kept = { ...entry };
    delete kept.dev;
    delete kept.devOptional;
    delete kept.peer;
    picked.set(path, kept);
    const peers = Object.keys(entry.peerDependencies ?? {}).filter(
      (dep) => !entry.peerDependenciesMeta?.[dep]?.optional,
    );
    for (const dep of [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...peers,
    ]) {
      queue.push([path, dep]);
    }
  }
  return {
    name: app.name,
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': {
        name: app.name,
        dependencies: app.dependencies,
        devDependencies: app.devDependencies,
      },
      ...Object.fromEntries(
        [...picked].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      ),
    },
  };
}

/** The version the repository installed of a package, from its lock. */
export function lockedVersion(repositoryLock: string, name: string): string {
  const { packages } = JSON.parse(
    readFileSync(repositoryLock, 'utf8'),
  ) as PackageLock;
  const version = packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`${name} is not in ${repositoryLock}`);
  return version;
}

/** A running `node dist/main.js <platform>` of the outside app. */
export class OutsideApp {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    private readonly output: () => string,
  ) {}

  static start(
    appDir: string,
    platform: string,
    env: Record<string, string>,
    timeoutMs: number,
  ): Promise<OutsideApp> {
    const child = spawn(process.execPath, ['dist/main.js', platform], {
      cwd: appDir,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid) registerChildProcess(child.pid, 'node');
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`the app on ${platform} ${why}:\n${tail(out)}`));
      };
      const timer = setTimeout(
        () => fail(`did not listen within ${timeoutMs} ms`),
        timeoutMs,
      );
      const poll = setInterval(() => {
        const m = /^listening (http:\/\/\S+)$/m.exec(out);
        if (m) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve(new OutsideApp(child, m[1], () => out));
        } else if (hasExited(child)) {
          fail(`exited (${child.exitCode ?? child.signalCode})`);
        }
      }, 20);
    });
  }

  /** What the app printed so far. */
  get log(): string {
    return this.output();
  }

  /** SIGTERM (Nest's shutdown hooks close the cache's Redis connection); SIGKILL if it lingers. */
  async stop(timeoutMs = 5_000): Promise<boolean> {
    if (hasExited(this.child)) return true;
    this.child.kill('SIGTERM');
    if (await waitForChildExit(this.child, timeoutMs)) return true;
    this.child.kill('SIGKILL');
    await waitForChildExit(this.child, 2_000);
    return false;
  }
}
