import type {
  HealthCheckResult,
  HealthCheckStatus,
  HealthIndicatorResult,
} from '@nestjs/terminus';

const RANK: Record<HealthCheckStatus, number> = {
  ok: 0,
  degraded: 1,
  error: 2,
  shutting_down: 3,
};

function worse(a: HealthCheckStatus, b: HealthCheckStatus): HealthCheckStatus {
  return RANK[b] > RANK[a] ? b : a;
}

/**
 * Terminus's `{ status, info, error, details }` from indicator results, as
 * `HealthCheckService` builds it, except that an indicator whose key is not
 * `critical` cannot fail the check: when it is `down` it is listed under
 * `error` and the status becomes `degraded` (answered with 200), not `error`.
 *
 * @example
 * summarize([{ database: { status: 'up' } }, { redis: { status: 'down' } }], (key) => key === 'database');
 * // → { status: 'degraded', info: { database }, error: { redis }, details: { database, redis } }
 */
export function summarize(
  results: readonly HealthIndicatorResult[],
  critical: (key: string) => boolean = () => true,
): HealthCheckResult {
  const info: HealthIndicatorResult = {};
  const error: HealthIndicatorResult = {};
  const details: HealthIndicatorResult = {};
  let status: HealthCheckStatus = 'ok';
  for (const result of results) {
    for (const [key, value] of Object.entries(result)) {
      details[key] = value;
      if (value.status === 'down') {
        error[key] = value;
        status = worse(status, critical(key) ? 'error' : 'degraded');
      } else {
        info[key] = value;
        if (value.status === 'degraded') status = worse(status, 'degraded');
      }
    }
  }
  return { status, info, error, details };
}

/** Whether a result is answered with 503. */
export function isUnavailable(result: HealthCheckResult): boolean {
  return result.status === 'error' || result.status === 'shutting_down';
}
