import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../src/common/net/free-port.js';
import { ConfigValidationError } from '../src/config/config-validation.error.js';
import { startPostgres } from '../src/database/embedded-postgres/postgres-starter.js';
import { OWNER_FILE } from '../src/database/embedded-postgres/postmaster-pid.js';
import {
  isProcessRunning,
  waitForProcessExit,
} from '../src/database/embedded-postgres/process-state.js';
import { DEMO_USERS, demoApiKey } from '../src/database/seed/demo-data.js';
import { createTestApp } from './support/test-app.js';

const isRunning = (pid: number): boolean => isProcessRunning(pid, 'postgres');
const waitUntilStopped = (pid: number): Promise<boolean> =>
  waitForProcessExit(pid, 5_000, 'postgres');

async function postmasterPid(dataDir: string): Promise<number> {
  const text = await readFile(join(dataDir, 'postmaster.pid'), 'utf8');
  return Number(text.split('\n')[0]);
}

/** Boots the real app without any database configured. */
describe('embedded PostgreSQL (e2e)', () => {
  let root: string;
  let dataDir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lexikon-embedded-'));
    await chmod(root, 0o755);
    dataDir = join(root, 'pgdata');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const env = () => ({
    DATABASE_URL: undefined,
    DB_HOST: undefined,
    EMBEDDED_PG_DIR: dataDir,
  });

  it('starts PostgreSQL, seeds the demo data, serves, and stops it on close', async () => {
    const api = await createTestApp({ env: env() });
    let pid: number;
    try {
      pid = await postmasterPid(dataDir);
      expect(isRunning(pid)).toBe(true);

      const alice = `Bearer ${demoApiKey('alice')}`;
      const me = await api
        .http()
        .get('/users/me')
        .set('Authorization', alice)
        .expect(200);
      expect(me.body.email).toBe('alice@example.com');
      const stats = await api
        .http()
        .get('/stats')
        .set('Authorization', alice)
        .expect(200);
      expect(stats.body).toEqual({ users: 3, projects: 3, terms: 12 });
    } finally {
      await api.close();
    }
    expect(await waitUntilStopped(pid)).toBe(true);
    expect(existsSync(join(dataDir, 'postmaster.pid'))).toBe(false);
  });

  it('restarts on the existing data, past a stale postmaster.pid, without seeding again', async () => {
    await writeFile(
      join(dataDir, 'postmaster.pid'),
      '999999\n/nowhere\n0\n5433\n',
    );
    const api = await createTestApp({ env: env() });
    let pid: number;
    try {
      pid = await postmasterPid(dataDir);
      expect(pid).not.toBe(999999);
      const alice = `Bearer ${demoApiKey('alice')}`;
      const project = await api
        .http()
        .post('/projects')
        .set('Authorization', alice)
        .send({ name: 'Kept' })
        .expect(201);
      const stats = await api
        .http()
        .get('/stats')
        .set('Authorization', alice)
        .expect(200);
      expect(stats.body).toEqual({ users: 3, projects: 4, terms: 12 });
      expect(project.body.ownerId).toBe(DEMO_USERS[0].id);
    } finally {
      await api.close();
    }
    expect(await waitUntilStopped(pid)).toBe(true);
  });

  it('uses a server another live process runs on the data, and leaves it running', async () => {
    const other = await startPostgres({ dataDir, port: await findFreePort() });
    try {
      const api = await createTestApp({ env: env() });
      try {
        await api
          .http()
          .get('/users/me')
          .set('Authorization', `Bearer ${demoApiKey('alice')}`)
          .expect(200);
      } finally {
        await api.close();
      }
      expect(isRunning(other.pid)).toBe(true);
    } finally {
      await other.stop();
    }
  });

  it('stops an orphaned server whose starter is gone, then starts its own', async () => {
    const orphan = await startPostgres({ dataDir, port: await findFreePort() });
    // as if the process that started it had been killed
    await writeFile(join(dataDir, OWNER_FILE), '999999');
    const api = await createTestApp({ env: env() });
    try {
      expect(await waitUntilStopped(orphan.pid)).toBe(true);
      expect(await postmasterPid(dataDir)).not.toBe(orphan.pid);
    } finally {
      await api.close();
      await orphan.stop();
    }
  });

  it('never starts it with NODE_ENV=production: says what to set instead', async () => {
    const attempt = createTestApp({
      env: { ...env(), NODE_ENV: 'production' },
    });
    await expect(attempt).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(attempt).rejects.toThrow(
      'Invalid configuration: DATABASE_URL or DB_HOST must be set when NODE_ENV=production (the embedded PostgreSQL is for development only)',
    );
  });
});
