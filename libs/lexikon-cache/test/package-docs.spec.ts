import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDeclarations } from './support/declaration-docs.js';

/*
 * The published `.d.ts` is the documentation users see in their editor:
 * every name the package entries export has a JSDoc with an `@example`
 * there, and nothing marked `@internal` reaches it (nor leaves a
 * declaration pointing at something stripped).
 */
const here = dirname(fileURLToPath(import.meta.url));
const libRoot = resolve(here, '..');

describe('the declarations @lexikon/cache publishes', () => {
  const report = checkDeclarations(join(libRoot, 'tsconfig.lib.json'), [
    'src/index.ts',
    'src/health/index.ts',
  ]);

  it('export the public API from both entries', () => {
    expect(report.exported).toEqual(
      expect.arrayContaining([
        'src/index.ts: LexikonCacheModule',
        'src/index.ts: CacheService',
        'src/index.ts: Cacheable',
        'src/index.ts: Duration',
        'src/health/index.ts: RedisHealthIndicator',
      ]),
    );
    expect(report.exported).not.toContain('src/index.ts: RedisHealthIndicator');
  });

  it('type-check on their own, strictly, without skipLibCheck', () => {
    expect(report.declarationErrors).toEqual([]);
  });

  it('give every export a JSDoc with an @example', () => {
    expect({
      undocumented: report.undocumented,
      withoutExample: report.withoutExample,
    }).toEqual({ undocumented: [], withoutExample: [] });
  });

  it('leave out everything marked @internal', () => {
    expect({
      leaks: report.internalLeaks,
      tagsLeft: report.internalTagsLeft,
    }).toEqual({ leaks: [], tagsLeft: [] });
  });
});

describe('checkDeclarations', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lexikon-docs-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'fixture', type: 'module' }),
    );
    writeFileSync(
      join(dir, 'src', 'index.ts'),
      [
        "export { Partly } from './hidden.js';",
        '/**',
        ' * Documented.',
        ' *',
        ' * @example',
        ' * documented();',
        ' */',
        'export function documented(): void {}',
        'export function undocumented(): void {}',
        '/** Described, but without an example. */',
        'export const noExample = 1;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'src', 'hidden.ts'),
      [
        '/** @internal */',
        'export interface Hidden { a: number }',
        '/** Partly internal. @example new Partly() */',
        'export class Partly {',
        '  /** @internal */',
        '  secret = 1;',
        '  /** A stripped type in a public signature. */',
        '  open(h?: Hidden): void {}',
        '}',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function fixture(compilerOptions: Record<string, unknown>) {
    const tsconfig = join(dir, 'tsconfig.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'ES2023',
          strict: true,
          declaration: true,
          rootDir: './src',
          outDir: './dist',
          types: [],
          ...compilerOptions,
        },
        include: ['src/**/*'],
      }),
    );
    return checkDeclarations(tsconfig, ['src/index.ts']);
  }

  it('reports exports without a JSDoc or an @example, and declarations left pointing at a stripped type', () => {
    const report = fixture({ removeComments: false, stripInternal: true });
    expect(report.undocumented).toEqual(['src/index.ts: undocumented']);
    expect(report.withoutExample).toEqual(['src/index.ts: noExample']);
    expect(report.declarationErrors).toEqual([
      expect.stringMatching(/hidden\.d\.ts:\d+: Cannot find name 'Hidden'/),
    ]);
    expect(report.internalLeaks).toEqual([]);
    expect(report.internalTagsLeft).toEqual([]);
  });

  it('reports @internal declarations kept without stripInternal', () => {
    const report = fixture({ removeComments: false });
    expect(report.internalLeaks).toEqual([
      'hidden.ts: Hidden',
      'hidden.ts: Partly.secret',
    ]);
    expect(report.internalTagsLeft).toEqual(['hidden.d.ts']);
  });

  it('reports every export as undocumented when comments are removed', () => {
    const report = fixture({ removeComments: true, stripInternal: true });
    expect(report.undocumented).toEqual(
      expect.arrayContaining([
        'src/index.ts: documented',
        'src/index.ts: Partly',
      ]),
    );
  });
});
