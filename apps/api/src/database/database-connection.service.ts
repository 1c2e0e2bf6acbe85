import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import {
  databaseConfig,
  type DatabaseConfig,
} from '../config/database.config.js';
import type { PostgresConnection } from './data-source-options.js';
import type { EmbeddedPostgresServer } from './embedded-postgres/embedded-postgres.server.js';
import { resolvePostgres } from './postgres-connection.js';

/**
 * Resolves the PostgreSQL connection for TypeORM and owns the embedded
 * PostgreSQL when there is one. On shutdown it closes the data source first,
 * then stops PostgreSQL, whichever order Nest runs the modules' hooks in.
 */
@Injectable()
export class DatabaseConnectionService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseConnectionService.name);
  private resolving?: Promise<PostgresConnection>;
  private embedded?: EmbeddedPostgresServer;

  constructor(
    @Inject(databaseConfig.KEY) private readonly settings: DatabaseConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** True when the app runs on its embedded PostgreSQL. */
  get isEmbedded(): boolean {
    return this.settings.mode === 'embedded';
  }

  connection(): Promise<PostgresConnection> {
    this.resolving ??= resolvePostgres(this.settings).then((resolved) => {
      this.embedded = resolved.embedded;
      return resolved.connection;
    });
    return this.resolving;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    try {
      const dataSource = this.moduleRef.get(DataSource, { strict: false });
      if (dataSource.isInitialized) await dataSource.destroy();
    } catch (error) {
      this.logger.debug(`No data source to close: ${String(error)}`);
    }
    await this.embedded.stop();
  }
}
