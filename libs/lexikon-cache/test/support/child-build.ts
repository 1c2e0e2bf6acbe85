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
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Builds an entry of the library's sources (or of its test support) with
 * tsc, for tests that run it as a child process: Node 20 cannot run `.ts`.
 * A build is shared by the test files and made once per content of its
 * inputs (kept under node_modules/.cache), behind a lock.
 */
const here = dirname(fileURLToPath(import.meta.url));
export const LIB_ROOT = resolve(here, '../..');
export const REPO_ROOT = resolve(LIB_ROOT, '../..');
const CACHE_ROOT = join(
  REPO_ROOT,
  'node_modules',
  '.cache',
  'lexikon-cache-builds',
);
const BUILD_WAIT_MS = 120_000;
const STALE_MS = 10 * 60_000;

export function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [path] : [];
  });
}

function hashOf(inputs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const f of [...inputs].sort()) hash.update(f).update(readFileSync(f));
  return hash.digest('hex').slice(0, 16);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function tsc(config: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const bin = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const child = spawn(process.execPath, [bin, '-p', config], {
      cwd: REPO_ROOT,
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, output }));
  });
}

export interface BuildSpec {
  /** Names the build's folder. */
  readonly name: string;
  /** The entry, a `.ts` file under `rootDir`. */
  readonly entry: string;
  /** Everything its output depends on (their content keys the build). */
  readonly inputs: readonly string[];
  /** The common root of the entry and what it imports. */
  readonly rootDir: string;
  /** The tsconfig to extend. */
  readonly tsconfig: string;
}

async function build(spec: BuildSpec, out: string): Promise<void> {
  const tmp = `${out}.tmp-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const config = join(tmp, 'tsconfig.json');
    writeFileSync(
      config,
      JSON.stringify({
        extends: spec.tsconfig,
        compilerOptions: {
          rootDir: spec.rootDir,
          outDir: join(tmp, 'dist'),
          declaration: false,
          sourceMap: false,
          inlineSources: false,
          incremental: false,
          noEmit: false,
        },
        files: [spec.entry],
        include: [],
      }),
    );
    const r = await tsc(config);
    if (r.code !== 0)
      throw new Error(`building ${spec.name} failed:\n${r.output}`);
    // node does not look past node_modules for a package scope: say it here
    writeFileSync(join(tmp, 'dist', 'package.json'), '{"type":"module"}\n');
    renameSync(join(tmp, 'dist'), out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function removeStale(keep: string): void {
  for (const name of readdirSync(CACHE_ROOT)) {
    const path = join(CACHE_ROOT, name);
    if (path === keep || path === `${keep}.lock`) continue;
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

/** The path of the built entry (`.js`), building it when its inputs changed. */
export async function buildOnce(spec: BuildSpec): Promise<string> {
  const out = join(CACHE_ROOT, `${spec.name}-${hashOf(spec.inputs)}`);
  const main = join(
    out,
    relative(spec.rootDir, spec.entry).replace(/\.ts$/, '.js'),
  );
  const lock = `${out}.lock`;
  mkdirSync(CACHE_ROOT, { recursive: true });
  const deadline = Date.now() + BUILD_WAIT_MS;
  while (!existsSync(main)) {
    try {
      mkdirSync(lock);
    } catch {
      // another test file builds it
      if (Date.now() > deadline)
        throw new Error(`no build of ${spec.name} in ${out}`);
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > STALE_MS) {
        rmSync(lock, { recursive: true, force: true });
      }
      await sleep(200);
      continue;
    }
    try {
      if (!existsSync(main)) await build(spec, out);
      removeStale(out);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return main;
}
