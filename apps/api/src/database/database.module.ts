import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSourceOptions } from './data-source-options.js';
import { DatabaseConnectionService } from './database-connection.service.js';
import { DemoDataSeeder } from './demo-data.seeder.js';

@Module({
  providers: [DatabaseConnectionService],
  exports: [DatabaseConnectionService],
})
class DatabaseConnectionModule {}

/**
 * TypeORM on PostgreSQL (embedded when no database is configured), with the
 * migrations run at start-up.
 */
@Module({
  imports: [
    DatabaseConnectionModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseConnectionModule],
      inject: [DatabaseConnectionService],
      useFactory: async (database: DatabaseConnectionService) => ({
        ...createDataSourceOptions(await database.connection()),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [DemoDataSeeder],
})
export class DatabaseModule {}
