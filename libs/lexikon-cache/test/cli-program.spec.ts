import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../../../test/support/free-port.js';
import { builtCli, jsonOf, runCli } from './support/cli-runner.js';

const lib = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('lexikon-cache program', () => {
  let cli: string;

  beforeAll(async () => {
    cli = await builtCli();
  }, 120_000);

  it('is the package bin: the built cli/main.js, with a shebang', () => {
    const pkg = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
      dependencies: Record<string, string>;
    };
    // npm publish drops a bin path written with a leading ./
    expect(pkg.bin['lexikon-cache']).toBe('dist/cli/main.js');
    expect(pkg.dependencies.commander).toBeDefined();
    // the test build mirrors dist/: same tsconfig, same layout
    expect(relative(dirname(dirname(cli)), cli)).toBe(join('cli', 'main.js'));
    expect(readFileSync(cli, 'utf8').split('\n')[0]).toBe(
      '#!/usr/bin/env node',
    );
  });

  it('declares every package the built CLI imports', () => {
    const pkg = JSON.parse(readFileSync(join(lib, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const declared = new Set([
      ...Object.keys(pkg.dependencies),
      ...Object.keys(pkg.peerDependencies),
    ]);
    const dist = dirname(dirname(cli));
    const imported = new Set<string>();
    for (const file of readdirSync(dist, {
      recursive: true,
      encoding: 'utf8',
    })) {
      if (!file.endsWith('.js')) continue;
      const text = readFileSync(join(dist, file), 'utf8');
      for (const m of text.matchAll(/from '([^.'][^']*)'/g)) {
        if (!m[1].startsWith('node:')) imported.add(m[1].split('/')[0]);
      }
    }
    expect([...imported].filter((p) => !declared.has(p))).toEqual([]);
    expect(imported).toContain('commander');
  });

  it.each([
    ['an unknown command', ['frobnicate']],
    ['a missing argument', ['get']],
    ['an unknown option', ['stats', '--nope']],
    ['a bad duration', ['--timeout', 'soon', 'stats']],
    ['a bad port', ['--port', '99999', 'stats']],
    ['invalidate without a target', ['invalidate']],
    ['--sentinels without --name', ['--sentinels', '127.0.0.1:1', 'stats']],
  ])('exits 2 on %s', async (_what, args) => {
    const r = await runCli(cli, args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe('');
  });

  it('exits 0 with the help', async () => {
    const r = await runCli(cli, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/stats.*\n.*get <key>/s);
  });

  it('exits 3 within the timeout when Redis is unreachable, never printing the password', async () => {
    const port = await findFreePort();
    const secret = 'pa55-never-printed';
    const r = await runCli(cli, [
      '--port',
      String(port),
      '--password',
      secret,
      '--timeout',
      '500ms',
      '--json',
      'get',
      'x',
    ]);
    expect(r.code).toBe(3);
    expect(r.ms).toBeLessThan(3_000);
    expect(jsonOf<{ error: { code: string } }>(r).error.code).toBe(
      'UNREACHABLE',
    );
    const viaUrl = await runCli(cli, ['--timeout', '300ms', 'stats'], {
      REDIS_URL: `redis://user:${secret}@127.0.0.1:${port}/0`,
    });
    expect(viaUrl.code).toBe(3);
    for (const out of [r.stdout, r.stderr, viaUrl.stdout, viaUrl.stderr]) {
      expect(out).not.toContain(secret);
    }
    expect(viaUrl.stderr).toContain('user:***@');
  });
});
