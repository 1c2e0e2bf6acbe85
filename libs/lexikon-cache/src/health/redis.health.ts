import { Inject, Injectable } from '@nestjs/common';
import {
  HealthIndicatorService,
  type HealthIndicatorResult,
  type HealthIndicatorStatus,
} from '@nestjs/terminus';
import type { CacheStore, CacheStoreInfo } from '../core/store/cache-store.js';
import { CACHE_STORE } from '../core/store/store-token.js';

/**
 * Options of `RedisHealthIndicator.isHealthy()`.
 *
 * @example
 * () => this.redis.isHealthy('redis', { timeout: 500, memoryThresholdMb: 900 })
 */
export interface RedisHealthOptions {
  /**
   * Longest wait for an answer, in ms. Default 1000. Each command is also
   * bounded by the module's `commandTimeout`, whichever is shorter.
   */
  timeout?: number;
  /**
   * Report `down` when the store uses more memory than this, in MB (INFO
   * memory's `used_memory`; in a cluster, the fullest master's).
   */
  memoryThresholdMb?: number;
}

/**
 * What `isHealthy()` reports under its key, besides `status`.
 *
 * @example
 * // GET /health answers, when Redis is up:
 * // { "status": "ok", "info": { "redis": { "status": "up", "store": "redis", "mode": "standalone", "responseTimeMs": 1 } }, ... }
 */
export type RedisHealthDetails = {
  readonly store: 'redis' | 'memory';
  readonly mode: CacheStoreInfo['mode'];
  /** Round trip of the PING, in ms; absent when the store did not answer. */
  readonly responseTimeMs?: number;
  /** Redis Cluster only: `cluster_state` from CLUSTER INFO (`ok` or `fail`). */
  readonly clusterState?: string;
  /** With `memoryThresholdMb`: memory in use, in MB. */
  readonly usedMemoryMb?: number;
  /** Why the store is `down`. */
  readonly message?: string;
};

const DEFAULT_TIMEOUT_MS = 1000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const MB = 1024 * 1024;

function optionProblem(options: RedisHealthOptions): string | undefined {
  const { timeout, memoryThresholdMb } = options;
  if (
    timeout !== undefined &&
    !(typeof timeout === 'number' && timeout > 0 && timeout <= MAX_TIMEOUT_MS)
  ) {
    return `timeout must be a positive number of ms, got ${String(timeout)}`;
  }
  if (
    memoryThresholdMb !== undefined &&
    !(typeof memoryThresholdMb === 'number' && memoryThresholdMb > 0)
  ) {
    return `memoryThresholdMb must be a positive number, got ${String(memoryThresholdMb)}`;
  }
  return undefined;
}

/**
 * A `@nestjs/terminus` health indicator for the cache's store. It sends a
 * PING over the module's own connection (never a new one), bounded by a
 * timeout, and reports `down` with a `message` when Redis is unreachable,
 * slow, refuses authentication, has a failed cluster state, or uses more
 * memory than allowed. It never throws and never waits past its timeout.
 * With the memory store it is `up` (unless over a memory threshold, by the
 * store's own estimate).
 *
 * Add it to the providers of a module that imports `TerminusModule`;
 * `LexikonCacheModule` is global by default, so its store is visible there
 * (otherwise import it in that module too). The cache module itself does not
 * depend on Terminus.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [TerminusModule],
 *   controllers: [HealthController],
 *   providers: [RedisHealthIndicator],
 * })
 * export class HealthModule {}
 *
 * // in HealthController
 * @Get('ready')
 * @HealthCheck()
 * ready() {
 *   return this.health.check([
 *     () => this.redis.isHealthy('redis', { timeout: 500, memoryThresholdMb: 900 }),
 *   ]);
 * }
 * ```
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    @Inject(CACHE_STORE) private readonly store: CacheStore,
  ) {}

  /**
   * `up` with `{ store, mode, responseTimeMs }` (plus `clusterState` in a
   * cluster and `usedMemoryMb` with a threshold), or `down` with a `message`:
   * `timeout after N ms`, `connection refused`, `connection closed`,
   * `authentication failed`, `cluster state is fail`, `used memory ... is
   * above ...`, or the store's error.
   */
  async isHealthy<const Key extends string = 'redis'>(
    key: Key = 'redis' as Key,
    options: RedisHealthOptions = {},
  ): Promise<
    HealthIndicatorResult<Key, HealthIndicatorStatus, RedisHealthDetails>
  > {
    const indicator = this.healthIndicatorService.check(key);
    const base: RedisHealthDetails = {
      store: this.store.kind,
      mode: this.store.mode,
    };
    try {
      const problem = optionProblem(options);
      if (problem) return indicator.down({ ...base, message: problem });
      const threshold = options.memoryThresholdMb;
      const health = await this.store.health({
        timeoutMs: options.timeout ?? DEFAULT_TIMEOUT_MS,
        usedMemory: threshold !== undefined,
      });
      if (!health.ok)
        return indicator.down({ ...base, message: health.message });
      const usedBytes = health.usedMemoryBytes;
      const details: RedisHealthDetails = {
        ...base,
        responseTimeMs: health.responseTimeMs,
        ...(health.clusterState !== undefined && {
          clusterState: health.clusterState,
        }),
        ...(usedBytes !== undefined && {
          usedMemoryMb: Math.round((usedBytes / MB) * 1000) / 1000,
        }),
      };
      if (health.clusterState !== undefined && health.clusterState !== 'ok') {
        return indicator.down({
          ...details,
          message: `cluster state is ${health.clusterState}`,
        });
      }
      if (
        threshold !== undefined &&
        usedBytes !== undefined &&
        usedBytes > threshold * MB
      ) {
        return indicator.down({
          ...details,
          message: `used memory ${details.usedMemoryMb} MB is above the threshold of ${threshold} MB`,
        });
      }
      return indicator.up(details);
    } catch (err) {
      return indicator.down({
        ...base,
        message: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
