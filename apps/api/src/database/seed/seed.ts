import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { ConfigValidationError } from '../../config/config-validation.error.js';
import {
  loadConfiguration,
  logLevelsFrom,
} from '../../config/configuration.js';
import { createDataSourceOptions } from '../data-source-options.js';
import { resolvePostgres } from '../postgres-connection.js';
import { logDemoKeys, seedDemoData } from './demo-data.js';
import { benchApiKey, LARGE_DATA_SIZES, seedLargeData } from './large-data.js';

/**
 * `npm run seed` loads the demo data; `npm run seed:large` (or `--large`)
 * generates the benchmark data set. Uses the same database settings as the
 * app, the embedded PostgreSQL included; runs pending migrations first.
 */
async function main(): Promise<void> {
  const logger = new Logger('Seed');
  const large = process.argv.includes('--large');
  try {
    if (existsSync('.env')) process.loadEnvFile('.env');
    const config = loadConfiguration(process.env);
    Logger.overrideLogger(logLevelsFrom(config.app.logLevel));
    const { connection, embedded } = await resolvePostgres(config.database);
    const dataSource = new DataSource(createDataSourceOptions(connection));
    try {
      await dataSource.initialize();
      if (large) {
        const result = await seedLargeData(dataSource);
        logger.log(
          `Benchmark data: inserted ${result.users} users, ${result.projects} projects, ${result.terms} terms in ${result.elapsedMs} ms (existing rows kept)`,
        );
        logger.log(
          `Benchmark user n (1..${LARGE_DATA_SIZES.users}) has the API key ${benchApiKey(1).replace(/1$/, '<n>')}, e.g. ${benchApiKey(1)}`,
        );
      } else {
        const result = await seedDemoData(dataSource);
        logger.log(
          `Demo data: inserted ${result.createdUsers} users, ${result.createdProjects} projects, ${result.createdTerms} terms (existing rows kept)`,
        );
        logDemoKeys(logger, result);
      }
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    }
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      logger.error(error.message);
    } else {
      const failure = error instanceof Error ? error : new Error(String(error));
      logger.error(`Seeding failed: ${failure.message}`, failure.stack);
    }
    process.exitCode = 1;
  }
}

void main();
