import {
  Controller,
  Get,
  ServiceUnavailableException,
  UseFilters,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator.js';
import { HealthCheckFilter } from './health-check.filter.js';
import { isUnavailable } from './health-result.js';
import { HealthService } from './health.service.js';

function answer(result: HealthCheckResult): HealthCheckResult {
  if (isUnavailable(result)) throw new ServiceUnavailableException(result);
  return result;
}

/**
 * The Kubernetes probes: 200 or 503 with Terminus's `{ status, info, error,
 * details }`. No API key; never cached (no `@Cacheable`, and
 * `Cache-Control: no-cache, no-store, must-revalidate` from `@HealthCheck`).
 */
@ApiTags('health')
@Public()
@UseFilters(HealthCheckFilter)
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** The process answers; depends on nothing external. */
  @Get('live')
  @HealthCheck()
  live(): HealthCheckResult {
    return answer(this.health.liveness());
  }

  /** PostgreSQL is reachable (and Redis, when required); 503 once shutting down. */
  @Get('ready')
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    return answer(await this.health.readiness());
  }

  /** 200 once the migrations have run and the app has booted. */
  @Get('startup')
  @HealthCheck()
  startup(): HealthCheckResult {
    return answer(this.health.startup());
  }
}
