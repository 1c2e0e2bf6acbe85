import { LexikonCacheError } from '../errors/lexikon-cache.error.js';
import { keyNamespace, TAG_SEGMENT } from '../keys/cache-keys.js';
import type { CacheLogger } from '../logger.js';
import type { CacheRecorder } from '../metrics/cache-recorder.js';
import type {
  CacheStore,
  LeaseRequest,
  ReadOutcome,
} from '../store/cache-store.js';
import { CallDeadlines } from './call-deadlines.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { FaultLog } from './fault-log.js';
import { essentialWaitMs } from '../store/reconnect.js';

/** A call that was sent and failed or timed out: it may still have happened. */
export const FAULT: unique symbol = Symbol('lexikon-cache:fault');
/** A call the open breaker did not send. */
export const SKIPPED: unique symbol = Symbol('lexikon-cache:skipped');
export type Guarded<T> = T | typeof FAULT | typeof SKIPPED;

const SKIPPED_NOW: Promise<typeof SKIPPED> = Promise.resolve(SKIPPED);

function noop(): void {}

/** Whether a guarded call reached the store and answered. */
export function answered<T>(r: Guarded<T>): r is T {
  return r !== FAULT && r !== SKIPPED;
}

export interface FailOpenSettings {
  readonly keyPrefix: string;
  readonly commandTimeoutMs: number;
  readonly breakerThreshold: number;
  readonly breakerCooldownMs: number;
}

/** Told of every fault, for the counters. */
export type FaultListener = (operation: string) => void;

/**
 * Told of a leased read that gave up (timed out, failed) while it may still
 * run on the store and grant the lease: `settled` resolves once the call has
 * really ended, after which giving the lease back cannot come too early.
 */
export type AbandonedLeaseListener = (
  key: string,
  token: string,
  settled: Promise<unknown>,
) => void;

/**
 * The one guarded path to the store: every call is bounded by the command
 * timeout (whatever the client's own settings), counted by the circuit
 * breaker and logged without flooding; a fault becomes `FAULT`, never an
 * error. The library's own errors (misuse, not faults) pass through.
 */
export class FailOpenStore {
  readonly faults: FaultLog;
  private readonly breaker: CircuitBreaker;
  private readonly deadlines: CallDeadlines | undefined;

  constructor(
    readonly store: CacheStore,
    private readonly settings: FailOpenSettings,
    logger: CacheLogger,
    private readonly onFault: FaultListener = () => undefined,
    private readonly onAbandonedLease: AbandonedLeaseListener = () => undefined,
    private readonly metrics?: Pick<CacheRecorder, 'time' | 'breaker'>,
  ) {
    this.faults = new FaultLog(logger);
    // the memory store answers in-process: nothing to wait for
    this.deadlines =
      store.kind === 'memory'
        ? undefined
        : new CallDeadlines(settings.commandTimeoutMs);
    this.breaker = new CircuitBreaker(
      settings.breakerThreshold,
      settings.breakerCooldownMs,
      (open) => {
        metrics?.breaker(open);
        if (open)
          logger.warn(
            `Cache store unreachable; serving without it and probing every ${settings.breakerCooldownMs} ms`,
          );
        else logger.log('Cache store reachable again');
      },
    );
  }

  /**
   * Whether the store may be read (see `RestartGuard`): false between a
   * reconnection and the check that the Redis behind it did not restart
   * (or was cleared since). A field read: nothing on the hit path waits.
   */
  trust: { readonly trusted: boolean } | undefined;

  get trusted(): boolean {
    return this.trust?.trusted !== false;
  }

  /** True while the breaker keeps calls from the store. */
  get isOpen(): boolean {
    return this.breaker.isOpen;
  }

  private readonly succeeded = <T>(value: T): T => {
    this.breaker.success();
    return value;
  };

  /** `call`, bounded by the deadline when there is one, as a guarded result. */
  private guard<T>(
    operation: string,
    key: string,
    call: Promise<T>,
  ): Promise<Guarded<T>> {
    const onError = (err: unknown): Guarded<T> =>
      this.failed(operation, key, err);
    return this.deadlines
      ? this.deadlines.settle<T, Guarded<T>>(call, this.succeeded, onError)
      : call.then<Guarded<T>, Guarded<T>>(this.succeeded, onError);
  }

  /** The hot path: one promise besides the store's own. */
  read(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    plainFirst: boolean,
    detail = false,
    graceMs = 0,
  ): Promise<Guarded<ReadOutcome>> {
    if (!this.breaker.allow()) return SKIPPED_NOW;
    const call = this.timed(
      'read',
      this.store.read(key, tagKeys, lease, plainFirst, detail, graceMs),
    );
    if (lease === undefined) return this.guard('read', key, call);
    const onError = (err: unknown): Guarded<ReadOutcome> => {
      this.onAbandonedLease(key, lease.token, call.then(noop, noop));
      return this.failed('read', key, err);
    };
    return this.deadlines
      ? this.deadlines.settle(call, this.succeeded, onError)
      : call.then(this.succeeded, onError);
  }

  /** Any call to the store's server (not through the store port), on the same guarded path. */
  callRaw<T>(
    operation: string,
    key: string,
    invoke: () => Promise<T>,
    essential = false,
  ): Promise<Guarded<T>> {
    return essential
      ? this.essential(operation, key, () => invoke())
      : this.call(operation, key, () => invoke());
  }

  call<T>(
    operation: string,
    key: string,
    invoke: (store: CacheStore) => Promise<T>,
  ): Promise<Guarded<T>> {
    if (!this.breaker.allow()) return SKIPPED_NOW;
    return this.send(operation, key, invoke);
  }

  /**
   * For what a write must tell the store (invalidations): tried even while
   * the breaker is open, and once a reconnecting client is ready (waiting
   * for two reconnection attempts, see essentialWaitMs): other instances
   * may read the store when this one cannot, so giving up early would let
   * them serve what the write changed.
   */
  essential<T>(
    operation: string,
    key: string,
    invoke: (store: CacheStore, alive: () => void) => Promise<T>,
    /** A call of several round trips, each `alive()` giving it a fresh timeout. */
    walk = false,
  ): Promise<Guarded<T>> {
    // sent at once when connected: on one connection, commands keep their order
    if (!this.deadlines || this.store.isReady?.() !== false)
      return this.send(operation, key, invoke, walk);
    return this.store
      .waitUntilReady(essentialWaitMs(this.settings.commandTimeoutMs))
      .then((ready) =>
        ready
          ? this.send(operation, key, invoke, walk)
          : this.failed(operation, key, new Error('not connected')),
      );
  }

  private send<T>(
    operation: string,
    key: string,
    invoke: (store: CacheStore, alive: () => void) => Promise<T>,
    walk = false,
  ): Promise<Guarded<T>> {
    if (walk && this.deadlines) {
      const start = (alive: () => void): Promise<T> => {
        try {
          return this.timed(operation, invoke(this.store, alive));
        } catch (err) {
          return Promise.reject(err as Error);
        }
      };
      return this.deadlines.settleWalk<T, Guarded<T>>(
        start,
        this.succeeded,
        (err) => this.failed(operation, key, err),
      );
    }
    let call: Promise<T>;
    try {
      call = this.timed(operation, invoke(this.store, noop));
    } catch (err) {
      call = Promise.reject(err as Error);
    }
    return this.guard(operation, key, call);
  }

  private timed<T>(operation: string, call: Promise<T>): Promise<T> {
    return this.metrics ? this.metrics.time(operation, call) : call;
  }

  private failed(operation: string, key: string, err: unknown): typeof FAULT {
    if (err instanceof LexikonCacheError) {
      this.breaker.success();
      throw err;
    }
    this.breaker.failure();
    this.onFault(operation);
    this.faults.report(operation, this.namespaceOf(key), err);
    return FAULT;
  }

  /** What a log may say of a key: its namespace (`user`, `tag project`), never user data. */
  namespaceOf(key: string): string {
    const rest = key.startsWith(this.settings.keyPrefix)
      ? key.slice(this.settings.keyPrefix.length)
      : key;
    return rest.startsWith(TAG_SEGMENT)
      ? `tag ${keyNamespace(rest.slice(TAG_SEGMENT.length))}`
      : keyNamespace(rest);
  }

  close(): void {
    this.deadlines?.close();
  }
}
