import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));

// What lets jest's CommonJS require() of the global setup load the support
// modules, which import each other as `./x.js`. Checked in a plain node
// process: inside a test file jest resolves require() itself.
describe('commonjs-ts-imports', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lexikon-cjs-ts-'));
    const source = readFileSync(join(here, 'commonjs-ts-imports.ts'), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        esModuleInterop: true,
      },
    });
    writeFileSync(join(dir, 'hook.cjs'), outputText);
    writeFileSync(join(dir, 'pg.ts'), '');
    writeFileSync(join(dir, 'both.ts'), '');
    writeFileSync(join(dir, 'both.js'), '');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function resolveWithHook(request: string): string {
    const script = `require('./hook.cjs'); try { console.log(require.resolve(${JSON.stringify(request)})) } catch (e) { console.log(e.code) }`;
    return execFileSync(process.execPath, ['-e', script], { cwd: dir })
      .toString()
      .trim();
  }

  it('resolves a relative .js request to the .ts file beside it, and only when the .js file is missing', () => {
    expect(resolveWithHook('./pg.js')).toBe(join(dir, 'pg.ts'));
    expect(resolveWithHook('./both.js')).toBe(join(dir, 'both.js'));
    expect(resolveWithHook('./none.js')).toBe('MODULE_NOT_FOUND');
    expect(resolveWithHook('pg.js')).toBe('MODULE_NOT_FOUND');
  });
});
