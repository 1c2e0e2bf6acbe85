import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { prometheusContentType, type Registry } from 'prom-client';
import { Public } from '../auth/public.decorator.js';
import { METRICS_REGISTRY } from './metrics-registry.js';

/**
 * `GET /metrics`: the whole registry in the Prometheus text format, for a
 * scraper. No API key (Prometheus sends none; keep the route off the public
 * ingress), not in the OpenAPI document, never cached (no `@Cacheable`, and
 * `Cache-Control: no-store` for anything in between).
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  // the registry keeps prom-client's default, the Prometheus text format
  @Header('Content-Type', prometheusContentType)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
