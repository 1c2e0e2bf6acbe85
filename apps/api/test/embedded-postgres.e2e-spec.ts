import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEMO_USERS, demoApiKey } from '../src/database/seed/demo-data.js';
import { createTestApp } from './support/test-app.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !stat.includes(') Z ');
  } catch {
    return false;
  }
}

async function waitUntilStopped(pid: number): Promise<boolean> {
  for (let i = 0; i < 100 && isRunning(pid); i += 1) await sleep(50);
  return !isRunning(pid);
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
      pid = Number(
        (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split(
          '\n',
        )[0],
      );
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
      pid = Number(
        (await readFile(join(dataDir, 'postmaster.pid'), 'utf8')).split(
          '\n',
        )[0],
      );
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
});
