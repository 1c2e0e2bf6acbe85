import type { CacheLogger } from '../core/logger.js';
import type { CacheTracer } from '../core/metrics/cache-tracer.js';
import { isModuleNotFound } from '../core/metrics/optional-peer.js';
import { OtelCacheTracer, type OpenTelemetryApi } from './otel-tracer.js';

/**
 * The tracer for `tracing: true`: `@opentelemetry/api` (an optional peer
 * dependency) loaded now; when it is not installed, no tracer (a warning
 * says so), so that tracing costs nothing.
 */
export async function loadTracer(
  logger: CacheLogger,
  load: () => Promise<OpenTelemetryApi> = () => import('@opentelemetry/api'),
): Promise<CacheTracer | undefined> {
  try {
    return new OtelCacheTracer(await load());
  } catch (err) {
    if (!isModuleNotFound(err, '@opentelemetry/api')) throw err;
    logger.warn(
      'tracing is on but @opentelemetry/api is not installed: no spans (npm install @opentelemetry/api)',
    );
    return undefined;
  }
}
