import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Runs the operator CLI as a child process, from a build made with the
 * library's own tsconfig (tsconfig.lib.json), of the CLI entry and what it
 * imports. The build is shared by the test files and runs once per content
 * of the sources (kept under node_modules/.cache).
 */
const here = dirname(fileURLToPath(import.meta.url));
const lib = resolve(here, '../..');
const repo = resolve(lib, '../..');
const cacheRoot = join(repo, 'node_modules', '.cache', 'lexikon-cache-cli');
const BUILD_WAIT_MS = 90_000;
const STALE_MS = 10 * 60_000;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return files(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function sourceHash(): string {
  const hash = createHash('sha256');
  const inputs = [
    ...files(join(lib, 'src', 'core')),
    ...files(join(lib, 'src', 'cli')),
    join(lib, 'tsconfig.lib.json'),
    join(repo, 'tsconfig.json'),
  ].sort();
  for (const f of inputs) hash.update(f).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function run(
  command: string,
  args: readonly string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: repo });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, output }));
  });
}

async function build(out: string): Promise<void> {
  const tmp = `${out}.tmp-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const config = join(tmp, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: join(lib, 'tsconfig.lib.json'),
        compilerOptions: {
          rootDir: join(lib, 'src'),
          outDir: join(tmp, 'dist'),
          declaration: false,
          sourceMap: false,
          inlineSources: false,
        },
        files: [join(lib, 'src', 'cli', 'main.ts')],
        include: [],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = await run(process.execPath, [tsc, '-p', config]);
    if (r.code !== 0) throw new Error(`building the CLI failed:\n${r.output}`);
    // node does not look past node_modules for a package scope: say it here
    writeFileSync(join(tmp, 'dist', 'package.json'), '{"type":"module"}\n');
    renameSync(join(tmp, 'dist'), out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function removeStale(keep: string): void {
  for (const name of readdirSync(cacheRoot)) {
    const path = join(cacheRoot, name);
    if (path === keep || path === `${keep}.lock`) continue;
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

/** The path of the built `cli/main.js`, building it when the sources changed. */
export async function builtCli(): Promise<string> {
  const out = join(cacheRoot, sourceHash());
  const main = join(out, 'cli', 'main.js');
  const lock = `${out}.lock`;
  mkdirSync(cacheRoot, { recursive: true });
  const deadline = Date.now() + BUILD_WAIT_MS;
  while (!existsSync(main)) {
    try {
      mkdirSync(lock);
    } catch {
      // another test file builds it
      if (Date.now() > deadline) throw new Error(`no CLI build in ${out}`);
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > STALE_MS) {
        rmSync(lock, { recursive: true, force: true });
      }
      await sleep(200);
      continue;
    }
    try {
      if (!existsSync(main)) await build(out);
      removeStale(out);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return main;
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
