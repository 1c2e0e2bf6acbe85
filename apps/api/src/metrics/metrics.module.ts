import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { HttpMetricsGuard } from './http-metrics.guard.js';
import { metricsRegistryProvider } from './metrics-registry.js';
import { MetricsController } from './metrics.controller.js';

export interface MetricsModuleOptions {
  /** `METRICS_ENABLED`: when false the module is empty, so `/metrics` is 404 and nothing is counted. */
  enabled: boolean;
}

/**
 * Prometheus metrics: `GET /metrics` serves prom-client's default registry
 * (the default Node process metrics, `lexikon_http_requests_total`, and
 * whatever else is registered there).
 */
@Module({})
export class MetricsModule {
  /**
   * A plain (synchronous) dynamic module on purpose: Nest orders global
   * guards by the order in which it adds modules, and it adds a module
   * given as a promise only after its siblings, which would put the request
   * counter after the API key guard, blind to its refusals.
   *
   * @example
   * imports: [MetricsModule.register({ enabled: true }), AppCacheModule]
   */
  static register({ enabled }: MetricsModuleOptions): DynamicModule {
    if (!enabled) return { module: MetricsModule };
    return {
      module: MetricsModule,
      controllers: [MetricsController],
      providers: [
        metricsRegistryProvider,
        { provide: APP_GUARD, useClass: HttpMetricsGuard },
      ],
    };
  }
}
