import {
  type DynamicModule,
  type INestApplicationContext,
  Module,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { UncertainWrites } from '../../../apps/api/src/cache/uncertain-writes.service.js';
import { loadConfiguration } from '../../../apps/api/src/config/configuration.js';
import { databaseTimeoutsConfig } from '../../../apps/api/src/config/database-timeouts.config.js';
import { AbandonedBackends } from '../../../apps/api/src/database/abandoned-backends.js';
import { BoundedTransactions } from '../../../apps/api/src/database/bounded-transactions.service.js';
import { createDataSourceOptions } from '../../../apps/api/src/database/data-source-options.js';
import { Project } from '../../../apps/api/src/projects/project.entity.js';
import { Term } from '../../../apps/api/src/terms/term.entity.js';
import { TermsService } from '../../../apps/api/src/terms/terms.service.js';
import { User } from '../../../apps/api/src/users/user.entity.js';
import { UsersService } from '../../../apps/api/src/users/users.service.js';
import { onCleanup } from '../../support/cleanup.js';

export const APPLICATION_NAME = 'lexikon-bench-seed-table';

@Module({})
class SeedTableModule {}

/** The API's TypeORM setup and the two services, without any cache module (so no decorator applies). */
export function servicesModule(databaseUrl: string): DynamicModule {
  return {
    module: SeedTableModule,
    imports: [
      TypeOrmModule.forRoot({
        ...createDataSourceOptions({ url: databaseUrl }),
        applicationName: APPLICATION_NAME,
        retryAttempts: 1,
      }),
      TypeOrmModule.forFeature([User, Project, Term]),
    ],
    providers: [
      UsersService,
      TermsService,
      // what the services need besides their repositories, with the API's
      // default timeouts; without a cache, UncertainWrites invalidates nothing
      UncertainWrites,
      AbandonedBackends,
      BoundedTransactions,
      {
        provide: databaseTimeoutsConfig.KEY,
        useValue: loadConfiguration({}).databaseTimeouts,
      },
    ],
  };
}

export async function context(
  module: DynamicModule,
  name: string,
): Promise<{ app: INestApplicationContext; close(): Promise<void> }> {
  const app = await NestFactory.createApplicationContext(module, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  const unregister = onCleanup(name, () => app.close());
  return {
    app,
    close: () => {
      unregister();
      return app.close();
    },
  };
}

/** The API's cache settings (its defaults: TTL 3600 s, command timeout 250 ms), without the interceptor. */
export function cacheModule(options: LexikonCacheModuleOptions): DynamicModule {
  return LexikonCacheModule.forRoot({ interceptor: false, ...options });
}
