import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LexikonCacheModule } from '@lexikon/cache';
import { RedisHealthIndicator } from '@lexikon/cache/health';
import { HealthController } from './health.controller.js';
import { PricesService } from './prices.service.js';
import { ShopController } from './shop.controller.js';

@Module({})
export class AppModule {
  static register(config: {
    redisUrl: string;
    keyPrefix: string;
    metrics: boolean;
  }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: config.redisUrl },
          keyPrefix: config.keyPrefix,
          defaultTtl: '1m',
          metrics: config.metrics,
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [ShopController, HealthController],
      providers: [PricesService, RedisHealthIndicator],
    };
  }
}
