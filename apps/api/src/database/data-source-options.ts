import type { DataSourceOptions } from 'typeorm';
import { Project } from '../projects/project.entity.js';
import { Term } from '../terms/term.entity.js';
import { User } from '../users/user.entity.js';
import { MIGRATIONS } from './migrations/index.js';
import { TypeOrmLogger } from './typeorm-logger.js';

export type PostgresDataSourceOptions = Extract<
  DataSourceOptions,
  { type: 'postgres' }
>;

/** Where to reach PostgreSQL: a URL, or host and credentials. */
export type PostgresConnection =
  | { url: string }
  | {
      host: string;
      port: number;
      username: string;
      password?: string;
      database: string;
    };

export const ENTITIES = [User, Project, Term];

/** `application_name` of the app's connections, as PostgreSQL shows them. */
export const APPLICATION_NAME = 'lexikon-api';

/**
 * TypeORM options shared by the app, the seed script and the TypeORM CLI:
 * explicit entities and migrations, no `synchronize`, pending migrations run
 * when the data source initializes.
 */
export function createDataSourceOptions(
  connection: PostgresConnection,
): PostgresDataSourceOptions {
  const logger = new TypeOrmLogger();
  return {
    type: 'postgres',
    ...connection,
    applicationName: APPLICATION_NAME,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    logger,
    logging: ['error', 'warn', 'migration'],
    maxQueryExecutionTime: 1000,
    poolErrorHandler: (error: unknown) => logger.logPoolError(error),
  };
}
