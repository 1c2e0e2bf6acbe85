import { LexikonCacheError } from '../errors/lexikon-cache.error.js';
import {
  TAG_SEGMENT,
  fullKey,
  fullTagKey,
  keyNamespace,
  patternToGlob,
} from '../keys/cache-keys.js';
import type { ResolvedCacheOptions } from '../options/resolve-options.js';
import type {
  CacheStore,
  ReadMiss,
  ReadOutcome,
} from '../store/cache-store.js';
import { CircuitBreaker } from '../guard/circuit-breaker.js';
import { FaultLog } from '../guard/fault-log.js';
import { CacheStats } from './cache-stats.js';
import type { CacheLogger } from '../logger.js';

/** How an engine caller turns its values into payloads and back. */
export interface EntryPolicy<T> {
  /** Lifetime of a filled entry, in ms (jitter is applied on top). */
  readonly ttlMs: number;
  /** The payload to store, or undefined to not store this value. */
  readonly encode: (value: T, key: string) => string | undefined;
  /** Throws when the payload is not one of ours: the entry is then dropped. */
  readonly decode: (payload: string) => T;
  /**
   * Full tag keys learnt from the loaded value. The fill is refused when one
   * of them was invalidated after the load began, so they stay race-free.
   */
  readonly lateTags?: (value: T) => readonly string[];
}

/** What a write invalidates, as full keys, full tag keys and SCAN globs. */
export interface InvalidationTargets {
  readonly keys?: readonly string[];
  readonly tagKeys?: readonly string[];
  readonly globs?: readonly string[];
}

interface Flight {
  readonly token: string | undefined;
  readonly tagKeys: readonly string[];
  readonly promise: Promise<unknown>;
}

const POLL_START_MS = 5;
const POLL_MAX_MS = 100;
const NO_TAGS: readonly string[] = [];

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The cache-aside core shared by `CacheService`, the HTTP interceptor and the
 * service-method wrappers: single flight within the process, leases across
 * processes, tag stamps, and failing open on every store fault.
 */
export class CacheEngine {
  readonly prefix: string;
  readonly stats = new CacheStats();
  private readonly faults: FaultLog;
  private readonly breaker: CircuitBreaker;
  private readonly flights = new Map<string, Flight>();
  /** Invalidations that did not reach the store; the cache is bypassed until they do. */
  private readonly pending: InvalidationTargets[] = [];
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly store: CacheStore,
    readonly options: ResolvedCacheOptions,
    private readonly logger: CacheLogger,
  ) {
    this.faults = new FaultLog(logger);
    this.prefix = options.keyPrefix;
    this.breaker = new CircuitBreaker(
      options.breakerThreshold,
      options.breakerCooldown,
      (open) =>
        open
          ? this.logger.warn(
              `Cache store unreachable; bypassing it and probing every ${options.breakerCooldown} ms`,
            )
          : this.logger.log('Cache store reachable again'),
    );
  }

  key(key: string): string {
    return fullKey(this.prefix, key);
  }

  tagKey(tag: string): string {
    return fullTagKey(this.prefix, tag);
  }

  glob(pattern: string): string {
    return patternToGlob(this.prefix, pattern);
  }

  /** True while reads must not trust the store (breaker open or invalidations pending). */
  get bypassing(): boolean {
    return this.pending.length > 0 || this.breaker.isOpen;
  }

  /** A TTL in ms, shortened at random by up to `ttlJitter` of itself. */
  jitter(ttlMs: number): number {
    const j = this.options.ttlJitter;
    return j > 0 ? ttlMs - Math.floor(Math.random() * j * ttlMs) : ttlMs;
  }

  /**
   * Runs a store call; on a fault, logs it, feeds the breaker and resolves to
   * `fallback`. The library's own errors (misuse, not faults) are rethrown.
   */
  async guard<T>(
    operation: string,
    key: string,
    call: () => Promise<T>,
    fallback: T,
  ): Promise<T> {
    if (!this.breaker.allow()) return fallback;
    try {
      const result = await call();
      this.breaker.success();
      return result;
    } catch (err) {
      if (err instanceof LexikonCacheError) {
        this.breaker.success();
        throw err;
      }
      this.fault(operation, key, err);
      return fallback;
    }
  }

  fault(operation: string, key: string, err: unknown): void {
    this.stats.errors++;
    this.breaker.failure();
    this.faults.report(operation, this.namespaceOf(key), err);
  }

  /** What a log may say of a key: its namespace (`user`, `tag project`), never user data. */
  private namespaceOf(key: string): string {
    const rest = key.slice(this.prefix.length);
    return rest.startsWith(TAG_SEGMENT)
      ? `tag ${keyNamespace(rest.slice(TAG_SEGMENT.length))}`
      : keyNamespace(rest);
  }

  warnOnce(message: string): void {
    this.faults.once(message);
  }

  /**
   * The value of a fresh entry when the store can tell without I/O (the
   * memory store), else undefined: the caller then goes through getOrLoad.
   */
  peekNow<T>(
    key: string,
    tagKeys: readonly string[],
    decode: (payload: string) => T,
  ): T | undefined {
    if (this.pending.length > 0 || this.breaker.isOpen) return undefined;
    const payload = this.store.peekNow?.(key, tagKeys);
    if (payload === undefined) return undefined;
    try {
      const value = decode(payload);
      this.stats.hits++;
      return value;
    } catch {
      return undefined;
    }
  }

  /**
   * The cached value of `key`, or the loader's (stored for next time).
   * Concurrent callers share one loader call; a loader error reaches all of
   * them and stores nothing.
   */
  async getOrLoad<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    retried = false,
  ): Promise<T> {
    if (this.pending.length > 0 || !this.breaker.allow()) {
      this.stats.bypasses++;
      return this.joinLocal(key, tagKeys, loader);
    }
    // entries that carry no tag are most likely plain: try the cheapest read first
    const plainFirst = tagKeys.length === 0 && policy.lateTags === undefined;
    const outcome = await this.readLeased(key, tagKeys, plainFirst);
    if (outcome === undefined) return this.joinLocal(key, tagKeys, loader);
    if (typeof outcome === 'string') {
      const value = this.tryDecode(outcome, policy);
      if (value !== DROPPED) {
        this.stats.hits++;
        return value;
      }
      // the undecodable entry is gone: load again, once, through a lease
      if (!retried) {
        await this.drop(key);
        return this.getOrLoad(key, tagKeys, loader, policy, true);
      }
      return this.joinLocal(key, tagKeys, loader);
    }
    this.stats.misses++;
    return this.onMiss(key, tagKeys, loader, policy, outcome);
  }

  /** A read that takes a lease on a miss; undefined on a store fault (logged). */
  private async readLeased(
    key: string,
    tagKeys: readonly string[],
    plainFirst = false,
  ): Promise<ReadOutcome | undefined> {
    try {
      const outcome = await this.store.read(
        key,
        tagKeys,
        this.options.leaseTtl,
        plainFirst,
      );
      this.breaker.success();
      return outcome;
    } catch (err) {
      this.fault('read', key, err);
      return undefined;
    }
  }

  private onMiss<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
    miss: ReadMiss,
  ): Promise<T> {
    if (miss.lease !== undefined) {
      return this.loadAndFill(
        key,
        tagKeys,
        miss.lease,
        miss.versions,
        loader,
        policy,
      );
    }
    if (miss.holder !== undefined) {
      const flight = this.flights.get(key);
      if (flight && flight.token === miss.holder)
        return flight.promise as Promise<T>;
      return this.awaitOtherLoader(key, tagKeys, loader, policy);
    }
    return this.joinLocal(key, tagKeys, loader);
  }

  private loadAndFill<T>(
    key: string,
    tagKeys: readonly string[],
    lease: string,
    versions: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
  ): Promise<T> {
    const promise = this.runFlight(key, tagKeys, lease, async () => {
      let value: T;
      try {
        value = await loader();
      } catch (err) {
        await this.guard(
          'release',
          key,
          () => this.store.release(key, lease),
          undefined,
        );
        throw err;
      }
      const payload = this.encodeOrSkip(key, value, policy);
      if (payload === undefined) {
        await this.guard(
          'release',
          key,
          () => this.store.release(key, lease),
          undefined,
        );
      } else {
        const ttlMs = this.jitter(policy.ttlMs);
        const late = policy
          .lateTags?.(value)
          ?.filter((t) => !tagKeys.includes(t));
        const allTags = late?.length ? [...tagKeys, ...late] : tagKeys;
        const stamp = late?.length
          ? [...versions, ...late.map(() => '')]
          : versions;
        const stored = await this.guard(
          'fill',
          key,
          () => this.store.fill(key, allTags, lease, stamp, payload, ttlMs),
          false,
        );
        if (stored) this.stats.fills++;
      }
      return value;
    });
    return promise;
  }

  /** Registers a load so that callers of this process can join it. */
  private runFlight<T>(
    key: string,
    tagKeys: readonly string[],
    token: string | undefined,
    load: () => Promise<T>,
  ): Promise<T> {
    this.stats.loads++;
    const promise = load();
    const flight: Flight = { token, tagKeys, promise };
    this.flights.set(key, flight);
    const done = () => {
      if (this.flights.get(key) === flight) this.flights.delete(key);
    };
    promise.then(done, done);
    return promise;
  }

  /** Loads without the store, still sharing one call among concurrent local callers. */
  private joinLocal<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
  ): Promise<T> {
    const flight = this.flights.get(key);
    if (flight && flight.token === undefined)
      return flight.promise as Promise<T>;
    return this.runFlight(key, tagKeys, undefined, loader);
  }

  /** Another process holds the lease: poll for its entry, or load once the wait is over. */
  private async awaitOtherLoader<T>(
    key: string,
    tagKeys: readonly string[],
    loader: () => Promise<T>,
    policy: EntryPolicy<T>,
  ): Promise<T> {
    const deadline = Date.now() + this.options.lockWait;
    let delay = POLL_START_MS;
    while (Date.now() < deadline && !this.closed) {
      await sleep(delay);
      delay = Math.min(delay * 2, POLL_MAX_MS);
      if (!this.breaker.allow()) break;
      const outcome = await this.readLeased(key, tagKeys);
      if (outcome === undefined) break;
      if (typeof outcome === 'string') {
        const value = this.decodeOrDrop(key, outcome, policy);
        if (value !== DROPPED) {
          this.stats.hits++;
          return value;
        }
        break;
      }
      if (outcome.lease !== undefined) {
        return this.loadAndFill(
          key,
          tagKeys,
          outcome.lease,
          outcome.versions,
          loader,
          policy,
        );
      }
      if (outcome.holder === undefined) break;
      const flight = this.flights.get(key);
      if (flight && flight.token === outcome.holder)
        return flight.promise as Promise<T>;
    }
    return this.joinLocal(key, tagKeys, loader);
  }

  private tryDecode<T>(
    payload: string,
    policy: EntryPolicy<T>,
  ): T | typeof DROPPED {
    try {
      return policy.decode(payload);
    } catch {
      return DROPPED;
    }
  }

  /** Deletes an entry that could not be decoded (a miss, never an error). */
  drop(key: string): Promise<number> {
    this.stats.corrupt++;
    this.warnOnce(
      `Dropped an undecodable cache entry in "${keyNamespace(key.slice(this.prefix.length))}"`,
    );
    return this.guard('delete', key, () => this.store.delete([key]), 0);
  }

  decodeOrDrop<T>(
    key: string,
    payload: string,
    policy: EntryPolicy<T>,
  ): T | typeof DROPPED {
    const value = this.tryDecode(payload, policy);
    if (value === DROPPED) void this.drop(key);
    return value;
  }

  private encodeOrSkip<T>(
    key: string,
    value: T,
    policy: EntryPolicy<T>,
  ): string | undefined {
    let payload: string | undefined;
    try {
      payload = policy.encode(value, key);
    } catch (err) {
      this.warnOnce(
        `Not caching a value in "${keyNamespace(key.slice(this.prefix.length))}": ${err instanceof Error ? err.message : String(err)}`,
      );
      return undefined;
    }
    if (payload !== undefined && !this.fitsSize(key, payload)) return undefined;
    return payload;
  }

  /** False (with a warning once per namespace) when a payload exceeds `maxValueBytes`. */
  fitsSize(key: string, payload: string): boolean {
    const max = this.options.maxValueBytes;
    if (payload.length * 3 <= max) return true;
    if (payload.length <= max && Buffer.byteLength(payload) <= max) return true;
    this.stats.oversized++;
    this.warnOnce(
      `Not caching values of "${keyNamespace(key.slice(this.prefix.length))}" larger than maxValueBytes (${max} bytes)`,
    );
    return false;
  }

  /**
   * Stores unconditionally (write-through). Loads in flight for the key lose
   * their lease; when the store cannot confirm the write, the key is
   * invalidated later instead, so that an older entry is not served.
   */
  async put(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<boolean> {
    this.flights.delete(key);
    if (this.pending.length === 0 && this.breaker.allow()) {
      try {
        await this.store.write(key, payload, this.jitter(ttlMs), tagKeys);
        this.breaker.success();
        return true;
      } catch (err) {
        this.fault('put', key, err);
      }
    }
    this.defer({ keys: [key] });
    return false;
  }

  /**
   * Deletes keys, bumps tags and clears patterns. Local flights that may hold
   * older data are forgotten at once; a target the store does not confirm is
   * retried, and the cache is bypassed until it is.
   */
  async invalidate(targets: InvalidationTargets): Promise<boolean> {
    this.forgetFlights(targets);
    const ok = await this.apply(targets);
    if (!ok) this.defer(targets);
    return ok;
  }

  private async apply(targets: InvalidationTargets): Promise<boolean> {
    const keys = targets.keys ?? NO_TAGS;
    const tagKeys = targets.tagKeys ?? NO_TAGS;
    const globs = targets.globs ?? NO_TAGS;
    if (!this.breaker.allow()) return false;
    try {
      await Promise.all([
        keys.length ? this.store.delete(keys) : undefined,
        tagKeys.length ? this.store.bumpTags(tagKeys) : undefined,
        ...globs.map((g) => this.store.deleteMatching(g)),
      ]);
      this.breaker.success();
      this.stats.invalidations++;
      return true;
    } catch (err) {
      this.fault(
        'invalidate',
        keys[0] ?? tagKeys[0] ?? globs[0] ?? this.prefix,
        err,
      );
      return false;
    }
  }

  private forgetFlights(targets: InvalidationTargets): void {
    if (this.flights.size === 0) return;
    for (const key of targets.keys ?? NO_TAGS) this.flights.delete(key);
    const tags = targets.tagKeys;
    if (tags?.length) {
      for (const [key, flight] of this.flights) {
        if (flight.tagKeys.some((t) => tags.includes(t)))
          this.flights.delete(key);
      }
    }
    if (targets.globs?.length) this.flights.clear();
  }

  private defer(targets: InvalidationTargets): void {
    this.pending.push(targets);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.flushPending();
    }, this.options.breakerCooldown);
    this.retryTimer.unref();
  }

  /** Re-sends invalidations that failed; resolves true once none is left. */
  async flushPending(): Promise<boolean> {
    while (this.pending.length > 0) {
      if (!(await this.apply(this.pending[0]))) {
        this.scheduleRetry();
        return false;
      }
      this.pending.shift();
    }
    return true;
  }

  get pendingInvalidations(): number {
    return this.pending.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.pending.length) {
      this.logger.warn(
        `${this.pending.length} cache invalidation(s) could not reach the store before shutdown`,
      );
    }
  }
}

export const DROPPED: unique symbol = Symbol('dropped');
