import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The library's layering, read from the sources: `core` (framework-free)
 * ← `declarative` ← `nest`, and `health` → `core` only; the operator CLI
 * (`cli`) → `core` only, and nothing imports it. The Prometheus adapter
 * (`metrics`) and the OpenTelemetry tracer (`tracing`) → `core` only, used
 * by `nest`. The main entry never loads Terminus or commander; prom-client
 * and @opentelemetry/api are imported by their adapters only.
 */
const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '../src');
const repoRoot = resolve(here, '../../..');
const MAX_LINES = 300;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) {
    for (const m of text.matchAll(re)) found.push(m[1]);
  }
  return found;
}

/** The layer of a file: its first folder under src/, or `entry` for index files at the top. */
function layerOf(file: string): string {
  const rel = relative(src, file);
  return rel.includes('/') ? rel.split('/')[0] : 'entry';
}

const ALLOWED: Record<string, ReadonlySet<string>> = {
  core: new Set(['core']),
  declarative: new Set(['core', 'declarative']),
  nest: new Set(['core', 'declarative', 'nest', 'metrics', 'tracing']),
  health: new Set(['core', 'health']),
  metrics: new Set(['core', 'metrics']),
  tracing: new Set(['core', 'tracing']),
  cli: new Set(['core', 'cli']),
  entry: new Set(['core', 'declarative', 'nest']),
};

const FRAMEWORK = /^@nestjs\//;

function violations(): string[] {
  const out: string[] = [];
  for (const file of sources(src)) {
    const layer = layerOf(file);
    const allowed = ALLOWED[layer];
    if (!allowed) {
      out.push(`${relative(src, file)}: not in a known layer`);
      continue;
    }
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        const targetLayer = layerOf(target);
        if (!allowed.has(targetLayer)) {
          out.push(`${relative(src, file)} imports ${spec} (${targetLayer})`);
        }
      } else if (
        FRAMEWORK.test(spec) &&
        (layer === 'core' || layer === 'declarative')
      ) {
        out.push(`${relative(src, file)} imports ${spec}`);
      } else if (spec.startsWith('@nestjs/terminus') && layer !== 'health') {
        out.push(`${relative(src, file)} imports ${spec} outside health/`);
      } else if (spec === 'prom-client' && layer !== 'metrics') {
        out.push(`${relative(src, file)} imports ${spec} outside metrics/`);
      } else if (spec.startsWith('@opentelemetry/') && layer !== 'tracing') {
        out.push(`${relative(src, file)} imports ${spec} outside tracing/`);
      } else if (spec === 'commander' && layer !== 'cli') {
        out.push(`${relative(src, file)} imports ${spec} outside cli/`);
      } else if (FRAMEWORK.test(spec) && layer === 'cli') {
        out.push(`${relative(src, file)} imports ${spec}`);
      }
    }
  }
  return out;
}

/** Lines as an editor (or `wc -l`) counts them: a final newline ends the last line, it starts none. */
function lineCount(text: string): number {
  const parts = text.split('\n');
  return text.endsWith('\n') ? parts.length - 1 : parts.length;
}

describe('library layering', () => {
  it('keeps imports flowing core ← declarative ← nest, and health → core', () => {
    expect(violations()).toEqual([]);
  });

  it('lets no layer but the CLI itself import the CLI', () => {
    const importers = Object.entries(ALLOWED)
      .filter(([layer, allowed]) => layer !== 'cli' && allowed.has('cli'))
      .map(([layer]) => layer);
    expect(importers).toEqual([]);
    expect(layerOf(join(src, 'cli', 'main.ts'))).toBe('cli');
  });

  it('counts lines as an editor does', () => {
    expect([lineCount('a\nb\n'), lineCount('a\nb')]).toEqual([2, 2]);
  });

  it('finds a violation when there is one', () => {
    const file = join(src, 'core', 'example.ts');
    expect(layerOf(file)).toBe('core');
    expect(ALLOWED.core.has(layerOf(join(src, 'nest', 'x.ts')))).toBe(false);
    expect(
      importsOf(join(src, 'nest', 'lexikon-cache.module.ts')).some((s) =>
        FRAMEWORK.test(s),
      ),
    ).toBe(true);
  });

  it(`holds no source file over ${MAX_LINES} lines`, () => {
    const long = sources(src)
      .filter((f) => !f.endsWith('.spec.ts'))
      .map(
        (f) => [relative(src, f), lineCount(readFileSync(f, 'utf8'))] as const,
      )
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it(`holds no file over ${MAX_LINES} lines in the app, the bench or the test support`, () => {
    const roots = [
      'apps/api/src',
      'bench',
      'test/support',
      'libs/lexikon-cache/test/support',
    ];
    const skipped = new Set(['dist', 'node_modules']);
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const path = join(dir, entry.name);
        if (entry.isDirectory())
          return skipped.has(entry.name) ? [] : walk(path);
        return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')
          ? [path]
          : [];
      });
    const long = roots
      .flatMap((root) => walk(resolve(repoRoot, root)))
      .filter((f) => !/\.(e2e-)?spec\.ts$/.test(f))
      .map(
        (f) =>
          [relative(repoRoot, f), lineCount(readFileSync(f, 'utf8'))] as const,
      )
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
