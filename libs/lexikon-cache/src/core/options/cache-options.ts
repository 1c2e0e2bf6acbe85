import type {
  CompressionOptions,
  HttpCompressionOptions,
} from './resolve-compression.js';
import type {
  Cluster,
  ClusterNode,
  ClusterOptions,
  Redis,
  RedisOptions,
} from 'ioredis';
import type { CacheMetricsOptions } from '../metrics/observability-options.js';
import type { Duration } from '../time/duration.js';
import type { EarlyRefresh, LoaderTimeouts } from './grace-options.js';

/**
 * How to reach Redis: a URL, discrete settings, Sentinel or Cluster.
 *
 * @example
 * const redis: RedisConnectionOptions = { url: 'rediss://user:secret@cache.internal:6380/0' };
 * const sentinel: RedisConnectionOptions = { sentinels: [{ host: '10.0.0.5', port: 26379 }], name: 'mymaster' };
 * const cluster: RedisConnectionOptions = { clusterNodes: [{ host: '10.0.0.7', port: 7000 }] };
 */
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

/**
 * Options of `LexikonCacheModule.forRoot()` / `forRootAsync()`. Durations
 * are numbers of milliseconds or strings with a unit (`'250ms'`, `'10m'`).
 *
 * @example
 * LexikonCacheModule.forRoot({
 *   redis: { url: 'redis://127.0.0.1:6379' },
 *   keyPrefix: 'myapp:',
 *   defaultTtl: '10m',
 *   commandTimeout: '250ms',
 * })
 */
export interface LexikonCacheModuleOptions {
  /**
   * `redis` (default when a connection or client is given) or `memory` (an
   * in-process store with the same semantics; the default otherwise).
   */
  store?: 'redis' | 'memory';
  /** Connection settings; ignored when `client` is given. */
  redis?: RedisConnectionOptions;
  /**
   * An ioredis client or cluster you own: used as is (its calls get the
   * same timeouts as ours) and never closed by the module. It must not have
   * a `keyPrefix` of its own; use this module's `keyPrefix`.
   */
  client?: Redis | Cluster;
  /** Prepended to every key; `clear()` and patterns never leave it. Default `lexikon:`. */
  keyPrefix?: string;
  /** Lifetime of an entry when its decorator or call gives none. Default `'1h'`. */
  defaultTtl?: Duration;
  /** Longest wait on any store call, whatever the client's own settings. Default `'250ms'`. */
  commandTimeout?: Duration;
  /** Values whose encoding is larger, in bytes, are not cached. Default 1 MiB. */
  maxValueBytes?: number;
  /**
   * Fraction by which a filled entry's TTL is shortened at random, so that
   * entries filled together do not expire together. Default 0.05; 0 turns it off.
   */
  ttlJitter?: number;
  /**
   * How long a loader's lease on a key lives without being renewed; a live
   * loader renews it, so a crashed one frees the key within this. Default `'5s'`.
   */
  leaseTtl?: Duration;
  /** Longest wait for another instance's loader before loading without it. Default `'5s'`. */
  lockWait?: Duration;
  /** Consecutive failures that open the circuit breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before probing the store again. Default `'1s'`. */
  breakerCooldown?: Duration;
  /** Upper bound on entries of the memory store. Default 100000. */
  memoryMaxEntries?: number;
  /** Upper bound on bytes the memory store holds (roughly, UTF-16). Default 128 MiB. */
  memoryMaxBytes?: number;
  /** Register the global HTTP interceptor. Default true. */
  interceptor?: boolean;
  /**
   * Identifies the authenticated principal of a request, to scope HTTP keys.
   * Default: `req.user.id ?? req.user.sub ?? req.user.userId`.
   */
  principal?: (request: unknown) => string | number | undefined | null;
  /**
   * Request headers that carry credentials. A request with one of them but
   * no principal is never cached on a private route, and private responses
   * say `Vary` on them. Default `['authorization', 'cookie', 'x-api-key']`.
   */
  credentialHeaders?: readonly string[];
  /** How long start-up waits for the first connection. Default `'2s'`. */
  connectWait?: Duration;
  /**
   * Schema version of every cached value (decorators and `CacheService`),
   * unless its namespace (`versions`) or its decorator or call names one.
   * Bump it when the shape of what is cached changes: entries of another
   * version are never read, so pods of two releases can share one Redis
   * during a rolling deploy. Invalidation reaches every version. A positive
   * integer; version 1, the default, is stored at the key itself.
   */
  version?: number;
  /**
   * Versions per key namespace (a key's text before its first `:`), e.g.
   * `{ term: 2 }` for `term:{id}`; they take precedence over `version`.
   */
  versions?: Readonly<Record<string, number>>;
  /**
   * What happens when a value about to be cached by a decorator has a field
   * whose name looks secret (see `sensitiveFields`). `'warn'` (default):
   * it is not stored, with a warning once per route or method and field.
   * `'strict'`: the call itself fails with `SensitiveValueError` (for
   * development and CI). `'off'`: values are not checked.
   */
  sensitiveGuard?: 'warn' | 'strict' | 'off';
  /**
   * Field names the guard looks for. A string matches a field whose name
   * contains its words in a row (each also as a plural in `s`), whatever the
   * case and separators, or one word that is all of them (`'apiKey'`
   * matches `apiKey`, `api_key`, `userApiKeyHash`, `apiKeys`, `APIKEY`;
   * `'token'` matches `accessToken` but not `tokenizer`); a RegExp is tested
   * against the name as it is. Default `DEFAULT_SENSITIVE_FIELDS`.
   *
   * @example
   * sensitiveFields: [...DEFAULT_SENSITIVE_FIELDS, 'ssn', /^pin$/i]
   */
  sensitiveFields?: readonly (string | RegExp)[];
  /** Longest lifetime of an entry whose decorator says `sensitive: true`. Default `'60s'`. */
  sensitiveMaxTtl?: Duration;
  /**
   * An in-process tier in front of Redis, as fresh as Redis on every
   * instance (see the README's "Two tiers"). Off by default; `true` for
   * the defaults. Needs Redis (the memory store is in process already).
   */
  l1?: boolean | L1Options;
  /**
   * Entries above a size stored deflate-compressed in Redis, optionally with
   * a preset dictionary per namespace (see the README's "Compression").
   * Off by default (`true`: from 1 KiB); the memory store and the
   * in-process tier keep values plain.
   */
  compression?: boolean | CompressionOptions;
  /**
   * JSON bodies of cached HTTP responses gzipped once, when stored, and sent
   * as stored (`Content-Encoding: gzip`, `Vary: Accept-Encoding`) to clients
   * that accept gzip; inflated only for those that do not. Off by default
   * (`true`: bodies from 1 KiB, level 6). See the README's "Gzip-encoded
   * HTTP bodies".
   */
  httpCompression?: boolean | HttpCompressionOptions;
  /**
   * Prometheus metrics through `prom-client` (an optional peer dependency,
   * loaded only when asked for): `true` for its default registry, or
   * `{ registry, prefix }`. See the README's "Metrics". Default off.
   */
  metrics?: boolean | CacheMetricsOptions;
  /** Spans through `@opentelemetry/api` (an optional peer; none when it is absent). Default false. */
  tracing?: boolean;
  /**
   * How long an entry is kept past its TTL: while it reloads, and served
   * (`X-Cache: STALE`) instead of its loader's error or timeout. Never after
   * an invalidation reached it. Decorators and calls may override it
   * (`false`: none). Default none.
   */
  grace?: Duration;
  /** Time limits of every loader; decorators and calls may override them. Default none. */
  timeouts?: LoaderTimeouts;
  /**
   * How long past its TTL an entry is answered at once while one reload
   * (across instances) refreshes it in the background; implies a grace
   * period at least as long. Decorators and calls may override it. Default none.
   */
  staleWhileRevalidate?: Duration;
  /**
   * Early refresh (XFetch, see `EarlyRefresh`): hot entries are refreshed in
   * the background before their TTL, so they never expire under load.
   * Decorators and calls may override it (`false`: off). Default off.
   */
  earlyRefresh?: EarlyRefresh;
}

/** The in-process tier's bounds and its coherence protocol's timings. */
export interface L1Options {
  /** Entries kept. Default 10000. */
  maxEntries?: number;
  /** Bytes kept (roughly, UTF-16). Default 64 MiB. */
  maxBytes?: number;
  /** Longest life of an entry in process (never longer than in Redis). Default `'5m'`. */
  ttl?: Duration;
  /**
   * How long an instance may serve from its tier without renewing its lease
   * with Redis; a writer waits at most about this long for an instance that
   * stopped answering. Default `'2s'`.
   */
  lease?: Duration;
  /** How far behind the invalidation bus an instance may fall and still renew. Default `'500ms'`. */
  maxLag?: Duration;
  /** A separate connection for the invalidation bus. Default: the store's settings. */
  bus?: RedisConnectionOptions;
  /**
   * When Redis is out of reach and an entry's loader fails, answer with the
   * copy this instance still holds (as stale: `X-Cache: STALE`) instead of
   * the error; only for entries with a grace period. A weaker guarantee: an
   * invalidation another instance completed while this one was cut off
   * from Redis may not have reached that copy (see the README's "Fail-safe
   * copies"). Default false.
   */
  failSafe?: boolean;
}
