import type {
  Cluster,
  ClusterNode,
  ClusterOptions,
  Redis,
  RedisOptions,
} from 'ioredis';

/** How to reach Redis: a URL, discrete settings, or an ioredis client you own. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port/db` or `rediss://` for TLS. */
  url?: string;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  db?: number;
  /** TLS options (or `true`) for an encrypted connection. */
  tls?: boolean | NonNullable<RedisOptions['tls']>;
  /** Redis Sentinel: the sentinels and the master group name. */
  sentinels?: { host: string; port: number }[];
  name?: string;
  /** Redis Cluster: seed nodes; their presence selects cluster mode. */
  clusterNodes?: ClusterNode[];
  clusterOptions?: ClusterOptions;
  /** Extra ioredis options, applied last. */
  ioredis?: RedisOptions;
}

/** Options of `LexikonCacheModule.forRoot()` / `forRootAsync()`. */
export interface LexikonCacheModuleOptions {
  /**
   * `redis` (default when a connection or client is given) or `memory` (an
   * in-process store with the same semantics; the default otherwise).
   */
  store?: 'redis' | 'memory';
  /** Connection settings; ignored when `client` is given. */
  redis?: RedisConnectionOptions;
  /** An existing ioredis client or cluster. The module uses it and never closes it. */
  client?: Redis | Cluster;
  /** Prepended to every key. Default `lexikon:`. */
  keyPrefix?: string;
  /** Default TTL in seconds. Default 3600. */
  defaultTtl?: number;
  /** Longest wait on any Redis command, in ms. Default 250. */
  commandTimeout?: number;
  /** Values whose encoding is larger are not cached. Default 1 MiB. */
  maxValueBytes?: number;
  /**
   * Fraction by which a filled entry's TTL is shortened at random, so that
   * entries filled together do not expire together. Default 0.05; 0 turns it off.
   */
  ttlJitter?: number;
  /** How long a loader may hold a key's lease, in ms. Default 10000. */
  leaseTtl?: number;
  /** How long a caller waits for another instance's loader before loading itself, in ms. Default 5000. */
  lockWait?: number;
  /** Lifetime of tag versions, in seconds. Default 30 days. */
  tagTtl?: number;
  /** Consecutive failures that open the circuit breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before probing Redis again, in ms. Default 1000. */
  breakerCooldown?: number;
  /** Upper bound on entries of the memory store. Default 100000. */
  memoryMaxEntries?: number;
  /** Register the global HTTP interceptor. Default true. */
  interceptor?: boolean;
  /**
   * Identifies the authenticated principal of a request, to scope HTTP keys.
   * Default: `req.user.id ?? req.user.sub ?? req.user.userId`.
   */
  principal?: (request: unknown) => string | number | undefined | null;
  /** Wait this long for the first connection at start-up, in ms. Default 2000. */
  connectWait?: number;
}
