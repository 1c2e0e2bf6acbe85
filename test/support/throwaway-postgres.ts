import { chmod, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import {
  startPostgres,
  type StartedPostgres,
} from '../../apps/api/src/database/embedded-postgres/postgres-starter.js';
import { findFreePort } from './free-port.js';

/**
 * A throwaway PostgreSQL for a test run or a benchmark: the app's embedded
 * PostgreSQL starter on a new data directory in `parentDir`, durability off.
 * Its `url` is the maintenance database as superuser. The caller stops it
 * and removes `parentDir`.
 */
export async function startThrowawayPostgres(
  parentDir: string,
): Promise<StartedPostgres> {
  // as root PostgreSQL runs as the postgres OS user, which must reach its directory
  if (process.getuid?.() === 0) await chmod(parentDir, 0o755);
  const dataDir = await mkdtemp(join(parentDir, 'postgres-'));
  for (let attempt = 1; ; attempt++) {
    try {
      return await startPostgres({
        dataDir,
        port: await findFreePort(),
        throwaway: true,
      });
    } catch (error) {
      // another process bound the port after findFreePort() saw it free
      const portTaken = String(error).includes('already in use');
      if (!portTaken || attempt >= 3) throw error;
    }
  }
}
