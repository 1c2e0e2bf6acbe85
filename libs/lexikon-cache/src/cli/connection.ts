import type { Cluster, Redis, RedisOptions } from 'ioredis';
import { CacheOptionsError } from '../core/errors/lexikon-cache.error.js';
import type { CacheLogger } from '../core/logger.js';
import type { RedisConnectionOptions } from '../core/options/cache-options.js';
import {
  resolveOptions,
  type ResolvedCacheOptions,
} from '../core/options/resolve-options.js';
import type { CacheStore } from '../core/store/cache-store.js';
import { createStore } from '../core/store/create-store.js';
import { createRedisClient } from '../core/store/redis/redis-connection.js';
import type { HostPort } from './arguments.js';
import { CliError } from './cli-error.js';

/** Where to connect, as the global options give it. */
export interface ConnectionSettings {
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly password?: string;
  readonly db?: number;
  readonly cluster?: readonly HostPort[];
  readonly sentinels?: readonly HostPort[];
  readonly name?: string;
  readonly prefix: string;
  readonly timeoutMs: number;
}

/** An open connection: the client, the library's store over it, and the nodes to SCAN. */
export interface Connection {
  readonly client: Redis | Cluster;
  readonly store: CacheStore;
  readonly options: ResolvedCacheOptions;
  readonly prefix: string;
  /** Where it connected, secrets redacted. */
  readonly description: string;
  /** Every master in a cluster, else the one server. */
  masters(): Redis[];
  close(): Promise<void>;
}

/** The module's connection options for these settings; every command bounded by the timeout. */
export function connectionOptions(
  s: ConnectionSettings,
): RedisConnectionOptions {
  const bounded: RedisOptions = {
    commandTimeout: s.timeoutMs,
    connectTimeout: s.timeoutMs,
  };
  if (s.cluster?.length) {
    if (s.db) {
      throw CliError.usage('--db cannot be used with --cluster (always db 0)');
    }
    return {
      clusterNodes: [...s.cluster],
      password: s.password,
      clusterOptions: { redisOptions: bounded },
    };
  }
  if (s.sentinels?.length) {
    if (!s.name) {
      throw CliError.usage('--sentinels needs --name <master group>');
    }
    return {
      sentinels: [...s.sentinels],
      name: s.name,
      password: s.password,
      db: s.db,
      ioredis: { ...bounded, sentinelCommandTimeout: s.timeoutMs },
    };
  }
  if (s.url) {
    return { url: s.url, password: s.password, db: s.db, ioredis: bounded };
  }
  return {
    host: s.host ?? '127.0.0.1',
    port: s.port ?? 6379,
    password: s.password,
    db: s.db,
    ioredis: bounded,
  };
}

function resolve(s: ConnectionSettings): ResolvedCacheOptions {
  try {
    return resolveOptions({
      store: 'redis',
      redis: connectionOptions(s),
      keyPrefix: s.prefix,
      commandTimeout: s.timeoutMs,
    });
  } catch (err) {
    if (err instanceof CacheOptionsError) throw CliError.usage(err.message);
    throw err;
  }
}

/**
 * Connects as the module would (same client settings: no offline queue, no
 * retries per command), waiting at most the timeout for the connection.
 * Rejects with an `unreachable` CliError when it is not ready by then.
 */
export async function connect(
  s: ConnectionSettings,
  logger: CacheLogger,
): Promise<Connection> {
  const resolved = resolve(s);
  const created = createRedisClient(resolved);
  const client = created.client;
  let lastError: Error | undefined;
  const onError = (err: Error) => {
    lastError = err;
  };
  client.on('error', onError);
  const { store } = createStore({ ...resolved, client }, logger);
  const close = async () => {
    client.off('error', onError);
    await store.close();
  };
  if (!(await store.waitUntilReady(s.timeoutMs))) {
    await close();
    const why = lastError ? `: ${lastError.message}` : '';
    throw CliError.unreachable(
      `Redis unreachable: ${created.description} (${created.mode}) not ready within ${s.timeoutMs} ms${why}`,
    );
  }
  return {
    client,
    store,
    options: resolved,
    prefix: resolved.keyPrefix,
    description: `${created.description} (${created.mode})`,
    masters: () =>
      created.mode === 'cluster'
        ? (client as Cluster).nodes('master')
        : [client as Redis],
    close,
  };
}
