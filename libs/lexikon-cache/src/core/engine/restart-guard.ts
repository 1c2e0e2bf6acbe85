import type { Cluster, Redis } from 'ioredis';
import type { FailOpenStore } from '../guard/fail-open-store.js';
import { runMarkerKey } from '../keys/cache-keys.js';
import type { CacheLogger } from '../logger.js';
import type { ResolvedCacheOptions } from '../options/resolve-options.js';
import { bounded, RunWatch } from '../store/redis/run-watch.js';
import type { TwoTier } from '../tier/two-tier.js';
import type { LeasedFlights } from './leased-flights.js';

/** The longest a clear after a restart may run before it is tried again. */
const CLEAR_BOUND_MS = 60_000;

/**
 * Keeps the cache from serving what a Redis restart brought back.
 *
 * Redis acknowledges a write before it is on disk (`appendfsync everysec`
 * loses up to about a second or two in a crash; snapshots lose more; a
 * failover loses what the replica had not received). An invalidation lost
 * that way leaves the entry it covered, or the tag version it bumped, as
 * before: after the restart, the old entry reads as fresh. This process
 * could replay its own recent invalidations, but not those of other
 * processes, and which ones were lost is unknowable. So the rule is the
 * conservative one: after a restart, nothing written before it is served.
 *
 * On every reconnection the store is untrusted (reads bypass it) until a
 * check: when the marker (the runs some process last cleared the cache
 * for) names the current run of every master, the cache was cleared after
 * the restart and reads resume; else this process clears every key under
 * the prefix (SCAN + UNLINK), then writes the marker. A process started
 * after the restart finds the marker of the run before and clears too.
 * The in-process tier is emptied whenever the runs differ from the ones
 * this process saw last.
 */
export class RestartGuard {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly waiters = new Set<(ok: boolean) => void>();

  constructor(
    private readonly watch: RunWatch,
    private readonly store: FailOpenStore,
    private readonly allGlob: string,
    /** Empties what this process keeps (the in-process tier, loads in flight). */
    private readonly forget: () => void,
    private readonly logger: CacheLogger,
    private readonly retryMs: number,
  ) {}

  get trusted(): boolean {
    return this.watch.trusted;
  }

  start(): void {
    this.watch.start(() => this.kick());
    this.kick();
  }

  /** Resolves true once the store is trusted, false after `timeoutMs`. */
  whenTrusted(timeoutMs: number): Promise<boolean> {
    if (this.watch.trusted) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
      this.waiters.add(done);
    });
  }

  /** Checks now (or once more after the check under way). */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  private async run(): Promise<void> {
    const verdict = await this.watch.check();
    if (verdict.kind === 'fault' || this.closed) return this.retryLater();
    if (verdict.kind === 'unsealed') this.watch.distrust();
    if (verdict.kind !== 'same') this.forget();
    if (
      verdict.kind === 'unsealed' &&
      !(await this.clear(verdict.runs, verdict.marked))
    )
      return this.retryLater();
    if (this.watch.trustAfter(verdict)) {
      for (const w of this.waiters) w(true);
    }
  }

  private async clear(runs: readonly string[], marked: boolean) {
    if (marked)
      this.logger.warn(
        'Redis restarted or failed over since the cache was last cleared for it: ' +
          'entries written before may have outlived their invalidation; clearing the cache',
      );
    // not bounded by the command timeout: a SCAN of a large keyspace takes longer
    const cleared = await bounded(
      this.store.store.deleteMatching(this.allGlob),
      CLEAR_BOUND_MS,
    ).then(
      () => true,
      () => false,
    );
    return cleared && (await this.watch.seal(runs));
  }

  private retryLater(): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.kick();
    }, this.retryMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.watch.stop();
    for (const w of this.waiters) w(false);
  }
}

/** What the guard clears, and what it empties in this process after a restart. */
export interface RestartScope {
  /** The glob of every key under the prefix. */
  readonly glob: string;
  /** Loads in flight: none started before the restart takes joiners. */
  readonly flights: LeasedFlights;
  readonly tier: TwoTier | undefined;
  readonly logger: CacheLogger;
}

/**
 * The guard over `client` (the store's connection), set as `store`'s
 * trust, or none without Redis.
 */
export function createRestartGuard(
  client: Redis | Cluster | undefined,
  options: ResolvedCacheOptions,
  store: FailOpenStore,
  scope: RestartScope,
): RestartGuard | undefined {
  if (!client || store.store.kind !== 'redis') return undefined;
  const guard = new RestartGuard(
    new RunWatch(
      client,
      runMarkerKey(options.keyPrefix),
      options.commandTimeoutMs,
    ),
    store,
    scope.glob,
    () => {
      scope.flights.forgetCovered([], [], true);
      scope.tier?.drop('Redis restarted');
    },
    scope.logger,
    options.breakerCooldownMs,
  );
  store.trust = guard;
  return guard;
}
