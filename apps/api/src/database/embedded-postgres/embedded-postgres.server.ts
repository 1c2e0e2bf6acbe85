import { Logger } from '@nestjs/common';
import { findFreePort } from '../../common/net/free-port.js';
import { inspectPostmaster, stopPostmaster } from './postmaster-pid.js';
import {
  EMBEDDED_HOST,
  ensureDatabase,
  readSuperuserPassword,
  SUPERUSER,
  type EmbeddedPostgresConnection,
} from './postgres-cluster.js';
import { startPostgres, type StartedPostgres } from './postgres-starter.js';

export type { EmbeddedPostgresConnection } from './postgres-cluster.js';

export interface EmbeddedPostgresOptions {
  /** Absolute path of the data directory (created and initialised when missing). */
  dataDir: string;
  /** The database to create if absent. */
  database: string;
  /** Port tried first; any free loopback port is used when it is taken. */
  preferredPort?: number;
}

/**
 * The app's embedded PostgreSQL for local development without a database:
 * {@link startPostgres} on a data directory that persists across runs. It
 * recovers from a previous run that was killed (stale `postmaster.pid`, an
 * orphaned server), and when a live process (the app, while `npm run seed`
 * runs) already serves the data directory, it uses that server and leaves it
 * running on {@link stop}.
 *
 * @example
 * const server = new EmbeddedPostgresServer({ dataDir, database: 'lexikon' });
 * const connection = await server.start();
 * // ...
 * await server.stop();
 */
export class EmbeddedPostgresServer {
  private readonly logger = new Logger('EmbeddedPostgres');
  private server?: StartedPostgres;
  private starting?: Promise<EmbeddedPostgresConnection>;

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  /** Starts the server (once) and returns how to connect to it. */
  start(): Promise<EmbeddedPostgresConnection> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  /** Stops the server if this process started it; safe to call repeatedly. */
  async stop(): Promise<void> {
    if (!this.starting) return;
    await this.starting.catch(() => undefined);
    const { server } = this;
    this.server = undefined;
    if (!server) return;
    await server.stop();
    this.logger.log('Embedded PostgreSQL stopped');
  }

  private async doStart(): Promise<EmbeddedPostgresConnection> {
    const { dataDir, database, preferredPort } = this.options;
    const state = await inspectPostmaster(dataDir);
    if (state.kind === 'stale') {
      this.logger.warn(`Removed a stale postmaster.pid from ${dataDir}`);
    }
    if (state.kind === 'running' && state.ownerAlive) {
      const connection: EmbeddedPostgresConnection = {
        host: EMBEDDED_HOST,
        port: state.port,
        username: SUPERUSER,
        password: await readSuperuserPassword(dataDir),
        database,
      };
      await ensureDatabase(connection);
      this.logger.log(
        `Using the embedded PostgreSQL already running on ${EMBEDDED_HOST}:${state.port} (pid ${state.pid}), data in ${dataDir}`,
      );
      return connection;
    }
    if (state.kind === 'running') {
      this.logger.warn(
        `Stopping an orphaned embedded PostgreSQL (pid ${state.pid}) left by a previous run`,
      );
      await stopPostmaster(state.pid);
    }

    this.server = await startPostgres({
      dataDir,
      database,
      port: await findFreePort({ preferred: preferredPort }),
      onOutput: (line) => this.logger.verbose(line),
      onExit: (how) => this.logger.warn(`Embedded PostgreSQL exited (${how})`),
    });
    const { connection, created } = this.server;
    if (created) {
      this.logger.log(
        `Initialised a new PostgreSQL data directory in ${dataDir}`,
      );
    }
    this.logger.log(
      `Using embedded PostgreSQL on ${connection.host}:${connection.port} (database "${database}"), data in ${dataDir}`,
    );
    return connection;
  }
}
