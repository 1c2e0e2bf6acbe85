import { RedisHealthIndicator } from '@lexikon/cache/health';
import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LifecycleModule } from '../lifecycle/lifecycle.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

/**
 * `GET /health/live`, `/health/ready` and `/health/startup`, for Kubernetes.
 * The Redis indicator uses the global cache module's own connection.
 */
@Module({
  imports: [TerminusModule, LifecycleModule],
  controllers: [HealthController],
  providers: [HealthService, RedisHealthIndicator],
})
export class HealthModule {}
