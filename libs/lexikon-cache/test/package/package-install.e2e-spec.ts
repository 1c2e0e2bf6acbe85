import { builtinModules } from 'node:module';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../../test/support/unique-prefix.js';
import {
  childEnv,
  lockedVersion,
  lockfileFor,
  OutsideApp,
  run,
} from './outside-install.js';

/*
 * What a user gets: the library built, packed with `npm pack`, installed
 * from the tarball into an application outside the repository (its own
 * package.json, nothing else of the monorepo), and that application run on
 * Express and on Fastify against Redis.
 */
const here = dirname(fileURLToPath(import.meta.url));
const libRoot = resolve(here, '../..');
const repoRoot = resolve(libRoot, '../..');
const repositoryLock = join(repoRoot, 'package-lock.json');
const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

const PEERS = new Set([
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/terminus',
  '@opentelemetry/api',
  'ioredis',
  'prom-client',
  'reflect-metadata',
  'rxjs',
]);
const OPTIONAL_PEERS = [
  '@nestjs/terminus',
  'prom-client',
  '@opentelemetry/api',
];

interface Manifest {
  name: string;
  version: string;
  main?: string;
  types?: string;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface PackResult {
  filename: string;
  integrity: string;
  size: number;
  files: { path: string }[];
}

const manifest = JSON.parse(
  readFileSync(join(libRoot, 'package.json'), 'utf8'),
) as Manifest;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** The packages a built module loads: static and dynamic imports, require calls. */
function packagesImportedBy(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...text.matchAll(/\brequire\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:'))
    .filter((s) => !builtinModules.includes(s.split('/')[0]))
    .map((s) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

/** A preload for `node --import` that makes any load of an optional peer throw. */
const BLOCK_OPTIONAL_PEERS = join(
  here,
  'optional-peers',
  'block-optional-peers.mjs',
);

describe('@lexikon/cache as a package', () => {
  let work: string;
  let packed: PackResult;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lexikon-package-'));
    if (!relative(repoRoot, work).startsWith('..')) {
      throw new Error(
        `the temporary folder ${work} is inside the repository; set TMPDIR elsewhere`,
      );
    }
    await run('npm', ['run', 'build:lib'], {
      cwd: repoRoot,
      timeoutMs: 120_000,
    });
    mkdirSync(join(work, 'pack'));
    const pack = await run(
      'npm',
      ['pack', '--json', '--pack-destination', join(work, 'pack')],
      { cwd: libRoot, timeoutMs: 60_000 },
    );
    [packed] = JSON.parse(pack.stdout) as PackResult[];
  }, 200_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('never loads an optional peer (Terminus, prom-client, @opentelemetry/api) from the main entry', async () => {
    const load = (entry: string) =>
      run(
        process.execPath,
        [
          '--import',
          pathToFileURL(BLOCK_OPTIONAL_PEERS).href,
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(pathToFileURL(join(libRoot, entry)).href)});` +
            'process.stdout.write(JSON.stringify(Object.keys(m)));',
        ],
        { cwd: work, timeoutMs: 30_000, allowFailure: true },
      );
    const main = await load('dist/index.js');
    expect(main.stderr).not.toContain('OPTIONAL PEER LOADED');
    expect(main.code).toBe(0);
    expect(JSON.parse(main.stdout)).toEqual(
      expect.arrayContaining(['LexikonCacheModule', 'CacheService']),
    );
    // the same hook does catch the subpath that needs Terminus
    const health = await load('dist/health/index.js');
    expect(health.code).not.toBe(0);
    expect(health.stderr).toContain('OPTIONAL PEER LOADED');
  }, 70_000);

  it('declares what it loads: its own runtime packages as dependencies, the frameworks as peers', () => {
    const imported = new Set(
      filesUnder(join(libRoot, 'dist'))
        .filter((f) => f.endsWith('.js'))
        .flatMap(packagesImportedBy),
    );
    const dependencies = Object.keys(manifest.dependencies ?? {});
    const peers = Object.keys(manifest.peerDependencies ?? {});
    const rootManifest = JSON.parse(
      readFileSync(join(repoRoot, 'package.json'), 'utf8'),
    ) as Manifest;
    expect({
      peersNotDeclaredAsPeers: [...imported].filter(
        (p) => PEERS.has(p) && !peers.includes(p),
      ),
      undeclared: [...imported].filter(
        (p) => !PEERS.has(p) && !dependencies.includes(p),
      ),
      peersInDependencies: dependencies.filter((p) => PEERS.has(p)),
      unused: dependencies.filter((p) => !imported.has(p)),
      notInstalledByTheRepository: dependencies.filter(
        (p) => rootManifest.dependencies?.[p] !== manifest.dependencies?.[p],
      ),
    }).toEqual({
      peersNotDeclaredAsPeers: [],
      undeclared: [],
      peersInDependencies: [],
      unused: [],
      notInstalledByTheRepository: [],
    });
    expect(
      OPTIONAL_PEERS.filter(
        (p) => manifest.peerDependenciesMeta?.[p]?.optional !== true,
      ),
    ).toEqual([]);
  });

  it('packs the build, README and CHANGELOG, and no sources or tests', () => {
    const paths = packed.files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'CHANGELOG.md',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/health/index.js',
        'dist/health/index.d.ts',
      ]),
    );
    const unexpected = paths.filter(
      (p) =>
        !['package.json', 'README.md', 'CHANGELOG.md'].includes(p) &&
        !/^dist\/.+\.(js|d\.ts|js\.map)$/.test(p),
    );
    expect(unexpected).toEqual([]);
    expect(paths.filter((p) => /spec|(^|\/)tests?\//.test(p))).toEqual([]);
    // everything the manifest points at is in the tarball
    const targets = [
      manifest.main,
      manifest.types,
      ...Object.values(manifest.exports ?? {}).flatMap((t) =>
        typeof t === 'string' ? [t] : Object.values(t),
      ),
    ].map((t) => t?.replace(/^\.\//, ''));
    expect(targets.filter((t) => !t || !paths.includes(t))).toEqual([]);
  });

  it('publishes cleanly (npm publish --dry-run)', async () => {
    const publish = await run('npm', ['publish', '--dry-run'], {
      cwd: libRoot,
      timeoutMs: 60_000,
    });
    const output = `${publish.stdout}\n${publish.stderr}`;
    expect(output).not.toMatch(/npm (error|ERR!)/);
    // the only warning a dry run may give is that nobody is logged in
    const warnings = output
      .split('\n')
      .filter((line) => /^npm warn/i.test(line))
      .filter((line) => !/requires you to be logged in/.test(line));
    expect(warnings).toEqual([]);
    expect(publish.stdout).toContain(`${manifest.name}@${manifest.version}`);
    expect(publish.stderr).toContain(`total files: ${packed.files.length}`);
    expect(publish.stderr).toMatch(/with tag latest and public access/);
  }, 70_000);

  describe('installed into an app outside the repository', () => {
    const appDir = () => join(work, 'app');
    const prefixes: string[] = [];
    const apps = new Set<OutsideApp>();

    beforeAll(async () => {
      mkdirSync(join(appDir(), 'src'), { recursive: true });
      for (const file of readdirSync(join(here, 'outside-app'))) {
        copyFileSync(
          join(here, 'outside-app', file),
          join(appDir(), 'src', file),
        );
      }
      const pinned = (names: string[]) =>
        Object.fromEntries(
          names.map((n) => [n, lockedVersion(repositoryLock, n)]),
        );
      const app = {
        name: 'lexikon-outside-app',
        dependencies: {
          ...pinned([
            '@nestjs/common',
            '@nestjs/core',
            '@nestjs/platform-express',
            '@nestjs/platform-fastify',
            '@nestjs/terminus',
            'ioredis',
            'reflect-metadata',
            'rxjs',
          ]),
          [manifest.name]: `file:../pack/${packed.filename}`,
        },
        devDependencies: pinned(['@types/node']),
      };
      writeFileSync(
        join(appDir(), 'package.json'),
        JSON.stringify({ ...app, private: true, type: 'module' }, null, 2),
      );
      // the repository's versions, which `npm ci` put in npm's cache
      const lock = lockfileFor(
        repositoryLock,
        app,
        manifest.dependencies ?? {},
      );
      writeFileSync(
        join(appDir(), 'package-lock.json'),
        JSON.stringify(lock, null, 2),
      );
      writeFileSync(
        join(appDir(), 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'ES2023',
            strict: true,
            experimentalDecorators: true,
            emitDecoratorMetadata: true,
            skipLibCheck: true,
            types: ['node'],
            rootDir: 'src',
            outDir: 'dist',
          },
          include: ['src'],
        }),
      );
      await run(
        'npm',
        [
          'install',
          '--prefer-offline',
          '--ignore-scripts',
          '--no-audit',
          '--no-fund',
          '--loglevel=warn',
        ],
        { cwd: appDir(), timeoutMs: 150_000 },
      );
      const installed = JSON.parse(
        readFileSync(
          join(appDir(), 'node_modules', manifest.name, 'package.json'),
          'utf8',
        ),
      ) as Manifest;
      expect(installed.version).toBe(manifest.version);
      // compiled against the installed package's declarations only
      await run(process.execPath, [tsc, '-p', 'tsconfig.json'], {
        cwd: appDir(),
        timeoutMs: 90_000,
        env: childEnv(),
      });
    }, 260_000);

    afterAll(async () => {
      await Promise.all([...apps].map((a) => a.stop()));
      const redis = new Redis(testRedisUrl(), { lazyConnect: true });
      try {
        await redis.connect();
        for (const prefix of prefixes) {
          await deleteKeysWithPrefix(redis, prefix);
        }
      } finally {
        redis.disconnect();
      }
    });

    async function get(
      app: OutsideApp,
      path: string,
      init?: RequestInit,
    ): Promise<{ status: number; headers: Headers; body: unknown }> {
      const res = await fetch(`${app.url}${path}`, {
        ...init,
        signal: AbortSignal.timeout(5_000),
      });
      return {
        status: res.status,
        headers: res.headers,
        body: await res.json(),
      };
    }

    it.each(['express', 'fastify'])(
      'caches routes and service methods, invalidates tags and reports health on %s',
      async (platform) => {
        const keyPrefix = uniquePrefix(`package-${platform}`);
        prefixes.push(keyPrefix);
        const app = await OutsideApp.start(
          appDir(),
          platform,
          { REDIS_URL: testRedisUrl(), KEY_PREFIX: keyPrefix },
          30_000,
        );
        apps.add(app);
        try {
          // a cached route: the handler runs on the miss only
          const miss = await get(app, '/items/42');
          expect([miss.status, miss.headers.get('x-cache')]).toEqual([
            200,
            'MISS',
          ]);
          expect(miss.headers.get('cache-status')).toBe('lexikon; fwd=miss');
          expect(miss.body).toEqual({ id: '42', served: 1 });
          const hit = await get(app, '/items/42');
          expect([hit.status, hit.headers.get('x-cache')]).toEqual([
            200,
            'HIT',
          ]);
          expect(hit.headers.get('cache-status')).toBe('lexikon; hit');
          expect(hit.headers.get('etag')).toBeTruthy();
          expect(hit.body).toEqual({ id: '42', served: 1 });

          // a cached provider method: the second call does not run it
          const first = await get(app, '/prices/abc');
          expect(first.body).toEqual({
            sku: 'abc',
            cents: 300,
            run: 1,
            runs: 1,
          });
          const second = await get(app, '/prices/abc');
          expect(second.body).toEqual({
            sku: 'abc',
            cents: 300,
            run: 1,
            runs: 1,
          });

          // invalidating a tag: the next read misses
          const items = await get(app, '/invalidate/items', { method: 'POST' });
          expect(items.body).toEqual({ applied: true });
          const again = await get(app, '/items/42');
          expect(again.headers.get('x-cache')).toBe('MISS');
          expect(again.body).toEqual({ id: '42', served: 2 });
          await get(app, '/invalidate/prices', { method: 'POST' });
          const reloaded = await get(app, '/prices/abc');
          expect(reloaded.body).toEqual({
            sku: 'abc',
            cents: 300,
            run: 2,
            runs: 2,
          });

          // @lexikon/cache/health in a Terminus check
          const health = await get(app, '/health');
          expect(health.status).toBe(200);
          expect(health.body).toMatchObject({
            status: 'ok',
            info: {
              redis: { status: 'up', store: 'redis', mode: 'standalone' },
            },
          });
        } catch (error) {
          throw new Error(`${String(error)}\n--- app output ---\n${app.log}`, {
            cause: error,
          });
        } finally {
          expect(await app.stop()).toBe(true);
          apps.delete(app);
        }
      },
      60_000,
    );

    it('stops at start-up, naming prom-client, when metrics are asked for without it installed', async () => {
      const keyPrefix = uniquePrefix('package-metrics');
      prefixes.push(keyPrefix);
      expect(readdirSync(join(appDir(), 'node_modules'))).not.toContain(
        'prom-client',
      );
      await expect(
        OutsideApp.start(
          appDir(),
          'express',
          { REDIS_URL: testRedisUrl(), KEY_PREFIX: keyPrefix, METRICS: 'on' },
          30_000,
        ),
      ).rejects.toThrow(
        /exited[\s\S]*metrics needs prom-client, an optional peer dependency of @lexikon\/cache that is not installed/,
      );
    }, 40_000);
  });
});
