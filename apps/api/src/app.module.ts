import {
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AuthModule } from './auth/auth.module.js';
import { AppCacheModule } from './cache/app-cache.module.js';
import { AllExceptionsFilter } from './common/filters/all-exceptions.filter.js';
import { loadConfiguration } from './config/configuration.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { AppLifecycle } from './lifecycle/app-lifecycle.service.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ProjectsModule } from './projects/projects.module.js';
import { StatsModule } from './stats/stats.module.js';
import { TermsModule } from './terms/terms.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule implements OnApplicationBootstrap {
  constructor(private readonly lifecycle: AppLifecycle) {}

  /**
   * @param configModule the validated configuration (see `createConfigModule()`),
   * resolved before the app is built so that bad configuration fails early.
   */
  static register(configModule: DynamicModule): DynamicModule {
    // the config module has loaded `.env` into process.env by now
    const { metricsEnabled } = loadConfiguration(process.env).app;
    return {
      module: AppModule,
      imports: [
        configModule,
        // before the cache: global interceptors run in the order their modules
        // are imported, and the request counter must also see cache hits
        MetricsModule.register({ enabled: metricsEnabled }),
        AppCacheModule,
        DatabaseModule,
        LifecycleModule,
        AuthModule,
        UsersModule,
        ProjectsModule,
        TermsModule,
        StatsModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }

  /**
   * Nest runs the root module's own hook after those of every module it
   * imports, so here the app has booted: the migrations ran when the data
   * source initialized, and every bootstrap hook (the demo seed) is done.
   */
  onApplicationBootstrap(): void {
    this.lifecycle.markRunning();
  }
}
