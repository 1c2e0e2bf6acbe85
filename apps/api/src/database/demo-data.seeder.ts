import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DatabaseConnectionService } from './database-connection.service.js';
import { logDemoKeys, seedDemoData } from './seed/demo-data.js';

/** On the embedded PostgreSQL, fills an empty database with the demo data. */
@Injectable()
export class DemoDataSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');

  constructor(
    private readonly database: DatabaseConnectionService,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.database.isEmbedded) return;
    const rows: { empty: boolean }[] = await this.dataSource.query(
      'SELECT NOT EXISTS (SELECT 1 FROM users) AS empty',
    );
    if (!rows[0]?.empty) return;
    const result = await seedDemoData(this.dataSource);
    this.logger.log('The database was empty: demo data loaded');
    logDemoKeys(this.logger, result);
  }
}
