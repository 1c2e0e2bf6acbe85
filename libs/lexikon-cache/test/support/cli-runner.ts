import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildOnce, LIB_ROOT, REPO_ROOT, sourceFiles } from './child-build.js';

/*
 * Runs the operator CLI as a child process, from a build made with the
 * library's own tsconfig (tsconfig.lib.json), of the CLI entry and what it
 * imports (see child-build.ts).
 */

/** The path of the built `cli/main.js`, building it when the sources changed. */
export function builtCli(): Promise<string> {
  const src = join(LIB_ROOT, 'src');
  return buildOnce({
    name: 'cli',
    entry: join(src, 'cli', 'main.ts'),
    rootDir: src,
    tsconfig: join(LIB_ROOT, 'tsconfig.lib.json'),
    inputs: [
      ...sourceFiles(join(src, 'core')),
      ...sourceFiles(join(src, 'cli')),
      join(LIB_ROOT, 'tsconfig.lib.json'),
      join(REPO_ROOT, 'tsconfig.json'),
    ],
  });
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the run, ms. */
  readonly ms: number;
}

/** stdout parsed as JSON. */
export function jsonOf<T>(r: CliResult): T {
  return JSON.parse(r.stdout) as T;
}

/**
 * Runs `node <main> ...args` with stdin closed (so not a terminal) and an
 * environment without REDIS_* variables but those in `env`.
 */
export function runCli(
  main: string,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<CliResult> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('REDIS_')),
  );
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [main, ...args], {
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
