import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  databaseTimeoutsConfig,
  type DatabaseTimeoutsConfig,
} from '../config/database-timeouts.config.js';
import { AbandonedBackends } from './abandoned-backends.js';
import { boundedPoolOptions } from './bounded-pool.js';
import { BoundedTransactions } from './bounded-transactions.service.js';
import { createDataSourceOptions } from './data-source-options.js';
import { DatabaseConnectionService } from './database-connection.service.js';
import { DatabaseRecovery } from './database-recovery.service.js';
import { DemoDataSeeder } from './demo-data.seeder.js';
import { timeoutSafeClient } from './timeout-safe-client.js';

@Module({
  providers: [DatabaseConnectionService, AbandonedBackends],
  exports: [DatabaseConnectionService, AbandonedBackends],
})
class DatabaseConnectionModule {}

/**
 * TypeORM on PostgreSQL (embedded when no database is configured), with the
 * migrations run at start-up and every call bounded (`DB_*_TIMEOUT_MS`).
 * Exports `BoundedTransactions` and `DatabaseRecovery`.
 */
@Module({
  imports: [
    DatabaseConnectionModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseConnectionModule],
      inject: [
        DatabaseConnectionService,
        AbandonedBackends,
        databaseTimeoutsConfig.KEY,
      ],
      useFactory: async (
        database: DatabaseConnectionService,
        backends: AbandonedBackends,
        timeouts: DatabaseTimeoutsConfig,
      ) => ({
        ...createDataSourceOptions(await database.connection()),
        extra: boundedPoolOptions(timeouts, timeoutSafeClient(backends)),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [DemoDataSeeder, BoundedTransactions, DatabaseRecovery],
  exports: [BoundedTransactions, DatabaseRecovery],
})
export class DatabaseModule {}
