import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { AppCacheModule } from './cache/app-cache.module.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { DatabaseModule } from './database/database.module.js';
import { ShutdownDrainService } from './lifecycle/shutdown-drain.service.js';
import { ProjectsModule } from './projects/projects.module.js';
import { StatsModule } from './stats/stats.module.js';
import { TermsModule } from './terms/terms.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  /**
   * @param configModule the validated configuration (see `createConfigModule()`),
   * resolved before the app is built so that bad configuration fails early.
   */
  static register(configModule: DynamicModule): DynamicModule {
    return {
      module: AppModule,
      imports: [
        configModule,
        AppCacheModule,
        DatabaseModule,
        AuthModule,
        UsersModule,
        ProjectsModule,
        TermsModule,
        StatsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        ShutdownDrainService,
      ],
    };
  }
}
