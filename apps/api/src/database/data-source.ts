import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfiguration, logLevelsFrom } from '../config/configuration.js';
import { createDataSourceOptions } from './data-source-options.js';

/**
 * The data source for the TypeORM CLI, built to dist/apps/api/data-source.js
 * (`npm run typeorm -- migration:show`). Needs DATABASE_URL or DB_HOST: the
 * CLI does not start the embedded PostgreSQL.
 */
function cliDataSource(): DataSource {
  const { app, database } = loadConfiguration(process.env);
  Logger.overrideLogger(logLevelsFrom(app.logLevel));
  if (database.mode === 'embedded') {
    throw new Error('Set DATABASE_URL or DB_HOST to use the TypeORM CLI');
  }
  const { mode: _mode, ...connection } = database;
  return new DataSource({
    ...createDataSourceOptions(connection),
    migrationsRun: false,
  });
}

export default cliDataSource();
