import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { ResolvedCacheOptions } from '../../options/resolve-options.js';
import { RECONNECT_MAX_DELAY_MS } from '../reconnect.js';
import { reviveWhenEnded } from './sentinel-revival.js';

/** Replaces the password of a connection URL, for logs. */
export function redactUrl(url: string): string {
  return url.replace(
    /^(rediss?:\/\/)([^@/]*)@/,
    (_m, scheme: string, auth: string) => {
      const colon = auth.indexOf(':');
      return colon >= 0
        ? `${scheme}${auth.slice(0, colon)}:***@`
        : `${scheme}***@`;
    },
  );
}

/**
 * A client that never queues or retries: a fault shows at once and the cache
 * fails open. Each call's own bound is the fail-open store's, for our
 * clients and the application's alike, so no per-command timer here.
 */
function failFastOptions(options: ResolvedCacheOptions): RedisOptions {
  return {
    // a connection that stops answering is torn down and re-established
    socketTimeout: Math.max(1_000, options.commandTimeoutMs * 8),
    connectTimeout: Math.max(1_000, options.commandTimeoutMs * 4),
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (times: number) =>
      Math.min(50 * 2 ** Math.min(times, 6), RECONNECT_MAX_DELAY_MS),
    reconnectOnError: () => false,
    // closing while Redis is down must not wait seconds for a FIN (ioredis#1247)
    disconnectTimeout: 200,
  };
}

function tlsOption(
  tls: ResolvedCacheOptions['redis']['tls'],
): RedisOptions['tls'] {
  if (tls === true) return {};
  return tls || undefined;
}

export interface CreatedClient {
  readonly client: Redis | Cluster;
  /** Where it connects, with secrets redacted. */
  readonly description: string;
  readonly mode: 'standalone' | 'sentinel' | 'cluster';
}

export function createRedisClient(
  options: ResolvedCacheOptions,
): CreatedClient {
  const r = options.redis;
  const base: RedisOptions = {
    ...failFastOptions(options),
    username: r.username,
    password: r.password,
    db: r.db,
    tls: tlsOption(r.tls),
    ...r.ioredis,
  };
  if (r.clusterNodes?.length) {
    const { socketTimeout, connectTimeout, maxRetriesPerRequest } = base;
    const client = new Cluster(r.clusterNodes, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      clusterRetryStrategy: (times: number) => Math.min(100 * times, 2_000),
      ...r.clusterOptions,
      redisOptions: {
        socketTimeout,
        connectTimeout,
        maxRetriesPerRequest,
        username: r.username,
        password: r.password,
        tls: base.tls,
        ...r.clusterOptions?.redisOptions,
      },
    });
    const nodes = r.clusterNodes
      .map((n) =>
        typeof n === 'object'
          ? `${n.host ?? '127.0.0.1'}:${n.port ?? 6379}`
          : String(n),
      )
      .join(',');
    return { client, description: `cluster ${nodes}`, mode: 'cluster' };
  }
  if (r.sentinels?.length) {
    const client = new Redis({
      // a failover's +switch-master reconnects at once: without it the
      // client stays on the demoted master until the sentinels reconfigure
      // it as a replica (their next INFO, up to 10 s later), and writes
      // land where the new master never sees them
      failoverDetector: true,
      ...base,
      sentinels: r.sentinels,
      name: r.name,
    });
    reviveWhenEnded(client);
    return {
      client,
      description: `sentinel master "${r.name ?? ''}" via ${r.sentinels.map((s) => `${s.host}:${s.port}`).join(',')}`,
      mode: 'sentinel',
    };
  }
  if (r.url) {
    return {
      client: new Redis(r.url, base),
      description: redactUrl(r.url),
      mode: 'standalone',
    };
  }
  const host = r.host ?? '127.0.0.1';
  const port = r.port ?? 6379;
  return {
    client: new Redis({ ...base, host, port }),
    description: `redis://${host}:${port}/${r.db ?? 0}`,
    mode: 'standalone',
  };
}
