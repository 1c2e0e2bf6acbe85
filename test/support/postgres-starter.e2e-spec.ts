// The one PostgreSQL starter (the app's embedded PostgreSQL), as the test
// setup and the benchmark use it, and its recovery paths.
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hydrateLibrarySymlinks } from '../../apps/api/src/database/embedded-postgres/library-symlinks.js';
import { isProcessRunning } from '../../apps/api/src/database/embedded-postgres/process-state.js';
import { startPostgres } from '../../apps/api/src/database/embedded-postgres/postgres-starter.js';
import { findFreePort } from './free-port.js';
import { startHangingListener } from './hanging-listener.js';
import { withPg } from './pg.js';
import { startThrowawayPostgres } from './throwaway-postgres.js';

let root: string;

beforeAll(async () => {
  // not in the run dir: as root, PostgreSQL runs as the postgres OS user,
  // which must reach its data directory through every parent
  root = await mkdtemp(join(tmpdir(), 'lexikon-starter-'));
  await chmod(root, 0o755);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('startThrowawayPostgres', () => {
  it('starts a PostgreSQL 18 from the embedded-postgres binaries, with a password, and stops it', async () => {
    const server = await startThrowawayPostgres(root);
    try {
      expect(server.created).toBe(true);
      expect(server.url).toMatch(
        /^postgres:\/\/postgres:[\w-]{32}@127\.0\.0\.1:\d+\/postgres$/,
      );
      const row = await withPg(server.url, async (pg) => {
        const { rows } = await pg.query<{ version: string; encoding: string }>(
          "SELECT current_setting('server_version') AS version, current_setting('server_encoding') AS encoding",
        );
        return rows[0];
      });
      expect(row.version).toMatch(/^18\./);
      expect(row.encoding).toBe('UTF8');
      // no password, no connection
      const anonymous = server.url.replace(/:[^:@/]+@/, '@');
      await expect(withPg(anonymous, () => Promise.resolve())).rejects.toThrow(
        /password/,
      );
    } finally {
      await server.stop();
    }
    expect(isProcessRunning(server.pid)).toBe(false);
    await expect(withPg(server.url, () => Promise.resolve())).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe('startPostgres', () => {
  const dataDir = (): string => join(root, 'persistent');

  it('creates a cluster and the database, then starts on it again keeping both', async () => {
    const first = await startPostgres({
      dataDir: dataDir(),
      port: await findFreePort(),
      database: 'kept',
      throwaway: true,
    });
    await withPg(first.url, (pg) => pg.query('CREATE TABLE t (id int)'));
    await first.stop();
    await first.stop(); // idempotent

    const again = await startPostgres({
      dataDir: dataDir(),
      port: await findFreePort(),
      database: 'kept',
    });
    try {
      expect(again.created).toBe(false);
      expect(again.connection.password).toBe(first.connection.password);
      const { rows } = await withPg(again.url, (pg) =>
        pg.query('SELECT count(*)::int AS n FROM t'),
      );
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await again.stop();
    }
  });

  it('removes a stale postmaster.pid (a PostgreSQL killed with SIGKILL)', async () => {
    await writeFile(
      join(dataDir(), 'postmaster.pid'),
      `${process.pid}\n${dataDir()}\n0\n5432\n`,
    );
    const server = await startPostgres({
      dataDir: dataDir(),
      port: await findFreePort(),
    });
    await server.stop();
    expect(existsSync(join(dataDir(), 'postmaster.pid'))).toBe(false);
  });

  it('fails with PostgreSQL’s own words when it exits while starting', async () => {
    const busy = await startHangingListener();
    try {
      const attempt = startPostgres({ dataDir: dataDir(), port: busy.port });
      await expect(attempt).rejects.toThrow(/exited while starting/);
      await expect(attempt).rejects.toThrow(/already in use/);
    } finally {
      await busy.close();
    }
    expect(existsSync(join(dataDir(), 'postmaster.pid'))).toBe(false);
  });

  it('refuses a directory that holds something else', async () => {
    const other = join(root, 'not-postgres');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'mine');
    await expect(
      startPostgres({ dataDir: other, port: await findFreePort() }),
    ).rejects.toThrow(/is not empty and is not a PostgreSQL data directory/);
  });
});

describe('hydrateLibrarySymlinks', () => {
  it('makes the library links an install without scripts left out, once', async () => {
    const pkg = join(root, 'binary-package');
    await mkdir(join(pkg, 'native', 'lib'), { recursive: true });
    await writeFile(join(pkg, 'native', 'lib', 'libicuuc.so.60.2'), '');
    await writeFile(
      join(pkg, 'native', 'pg-symlinks.json'),
      JSON.stringify([
        {
          source: 'native/lib/libicuuc.so.60.2',
          target: 'native/lib/libicuuc.so.60',
        },
      ]),
    );
    expect(await hydrateLibrarySymlinks(pkg)).toBe(1);
    const link = join(pkg, 'native', 'lib', 'libicuuc.so.60');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('libicuuc.so.60.2');
    expect(await hydrateLibrarySymlinks(pkg)).toBe(0);
  });
});
