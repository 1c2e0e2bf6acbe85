import { RedisHealthIndicator } from '@lexikon/cache/health';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import { redisConfig, type RedisConfig } from '../config/redis.config.js';
import { AppLifecycle } from '../lifecycle/app-lifecycle.service.js';
import { summarize } from './health-result.js';

/**
 * Longest wait for PostgreSQL's `SELECT 1`. Kubernetes' readiness
 * `timeoutSeconds` must be larger (deploy/k8s uses 2 s).
 */
export const DATABASE_TIMEOUT_MS = 1000;
/** Longest wait for Redis's PING (also bounded by `REDIS_COMMAND_TIMEOUT_MS`). */
export const REDIS_TIMEOUT_MS = 500;

/**
 * The three probes' results, in Terminus's `{ status, info, error, details }`:
 *
 * - liveness: the process answers; nothing external is asked.
 * - startup: `up` once every module has booted (migrations included).
 * - readiness: PostgreSQL decides; Redis is reported and decides only with
 *   `CACHE_REQUIRED_FOR_READINESS`, because the cache fails open. Once a
 *   shutdown began it fails at once, without asking either.
 *
 * Both checks run in parallel, each bounded by its own timeout, so readiness
 * answers within about a second whatever PostgreSQL and Redis do.
 */
@Injectable()
export class HealthService {
  private readonly logger = new Logger('Health');
  private lastReadiness?: string;

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly lifecycle: AppLifecycle,
    @Inject(redisConfig.KEY) private readonly redisSettings: RedisConfig,
  ) {}

  liveness(): HealthCheckResult {
    return summarize([this.indicators.check('process').up()]);
  }

  startup(): HealthCheckResult {
    const { phase } = this.lifecycle;
    const app = this.indicators.check('app');
    return summarize([
      phase === 'starting' ? app.down({ phase }) : app.up({ phase }),
    ]);
  }

  async readiness(): Promise<HealthCheckResult> {
    const { phase } = this.lifecycle;
    const app = this.indicators.check('app');
    if (phase === 'shutting-down') {
      return {
        ...summarize([app.down({ phase, message: 'shutting down' })]),
        status: 'shutting_down',
      };
    }
    if (phase === 'starting') {
      return summarize([app.down({ phase, message: 'starting' })]);
    }
    const [database, redis] = await Promise.all([
      this.database.pingCheck('database').withTimeout(DATABASE_TIMEOUT_MS),
      this.redis.isHealthy('redis', { timeout: REDIS_TIMEOUT_MS }),
    ]);
    const redisDecides = this.redisSettings.requiredForReadiness;
    const result = summarize(
      [app.up({ phase }), database, redis],
      (key) => key !== 'redis' || redisDecides,
    );
    this.logChange(result);
    return result;
  }

  /** Logs when readiness or the set of failing checks changes, not on every probe. */
  private logChange(result: HealthCheckResult): void {
    const failing = Object.entries(result.error ?? {});
    const state = `${result.status}:${failing.map(([key]) => key).join(',')}`;
    if (state === this.lastReadiness) return;
    const first = this.lastReadiness === undefined;
    this.lastReadiness = state;
    if (failing.length === 0) {
      if (!first) this.logger.log('Ready: every check is up');
      return;
    }
    const reasons = failing
      .map(([key, value]) => `${key}: ${reasonOf(value)}`)
      .join('; ');
    if (result.status === 'error') {
      this.logger.warn(`Not ready (${reasons})`);
    } else {
      this.logger.warn(`Ready, without ${reasons}`);
    }
  }
}

function reasonOf(value: HealthIndicatorResult[string] | undefined): string {
  const message: unknown = value?.message;
  return typeof message === 'string' ? message : 'down';
}
