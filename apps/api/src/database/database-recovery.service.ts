import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  databaseTimeoutsConfig,
  type DatabaseTimeoutsConfig,
} from '../config/database-timeouts.config.js';
import { AbandonedBackends } from './abandoned-backends.js';
import { APPLICATION_NAME } from './data-source-options.js';

/** How often PostgreSQL is asked while someone waits for it to settle. */
export const SETTLE_PROBE_INTERVAL_MS = 500;
/**
 * A server process still there this long after the database first answered
 * about it is no longer waited for (it could not be ended); what it may
 * still commit stays unknown, and cached entries expire with their TTL.
 */
const GIVE_UP_AFTER_MS = 60_000;

interface BackendRow {
  pid: number;
  state: string | null;
  /** How long its current statement has been running, in ms. */
  running_ms: number | null;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Tells when the database has settled after a fault: it answers again, and
 * no server process of a connection this app gave up mid-statement is left,
 * so no write whose outcome was unknown can still take effect.
 *
 * Held-up bytes can reach PostgreSQL after it answers again, even after a
 * first successful probe (on another connection). Waiting for the old
 * process to be gone is what makes the outcome final: a process running its
 * (late) statement is left to finish, PostgreSQL's `statement_timeout`
 * bounding it; one found idle on two probes in a row (so that bytes arriving
 * as the link heals get a probe interval to land) could still receive a late
 * statement at any time, and is ended with `pg_terminate_backend`.
 */
@Injectable()
export class DatabaseRecovery implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private waiters: ((settled: boolean) => void)[] = [];
  private timer?: NodeJS.Timeout;
  private probing = false;
  private closed = false;
  /** Abandoned processes the last probe found idle. */
  private idleBefore = new Set<number>();
  /** When a probe first found each abandoned process still there. */
  private readonly seenSince = new Map<number, number>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly backends: AbandonedBackends,
    @Inject(databaseTimeoutsConfig.KEY)
    private readonly timeouts: DatabaseTimeoutsConfig,
  ) {}

  /**
   * Resolves true once the database has settled (see the class), checked
   * from now on; false when the app shuts down first.
   */
  whenSettled(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule(0);
    });
  }

  onApplicationShutdown(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const resolve of this.waiters.splice(0)) resolve(false);
  }

  private schedule(delayMs: number): void {
    if (this.timer || this.probing || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.probe();
    }, delayMs);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    this.probing = true;
    // a waiter that came later waits for a probe that started after it
    const waiting = this.waiters.splice(0);
    let settled = false;
    try {
      settled = await this.settle();
    } catch (error) {
      this.logger.debug(`Not settled yet: ${describe(error)}`);
    } finally {
      this.probing = false;
    }
    if (this.closed) {
      for (const resolve of waiting) resolve(false);
      return;
    }
    if (settled) for (const resolve of waiting) resolve(true);
    else this.waiters.unshift(...waiting);
    if (this.waiters.length > 0) this.schedule(SETTLE_PROBE_INTERVAL_MS);
  }

  /** One look at PostgreSQL; true when nothing given up is left. */
  private async settle(): Promise<boolean> {
    const pids = this.backends.list();
    if (pids.length === 0) {
      await this.dataSource.query('SELECT 1');
      return true;
    }
    const rows: BackendRow[] = await this.dataSource.query(
      `SELECT pid, state,
              (extract(epoch FROM clock_timestamp() - query_start) * 1000)::int AS running_ms
         FROM pg_stat_activity
        WHERE pid = ANY($1::int[]) AND application_name = $2`,
      [pids, APPLICATION_NAME],
    );
    const now = Date.now();
    const alive = new Set(rows.map((row) => row.pid));
    for (const pid of alive)
      if (!this.seenSince.has(pid)) this.seenSince.set(pid, now);
    const expired = [...alive].filter(
      (pid) => now - (this.seenSince.get(pid) ?? now) > GIVE_UP_AFTER_MS,
    );
    if (expired.length > 0) {
      this.logger.warn(
        `Server process(es) ${expired.join(', ')} still there after ${GIVE_UP_AFTER_MS} ms; no longer waiting for them`,
      );
    }
    const done = [...pids.filter((pid) => !alive.has(pid)), ...expired];
    this.backends.forget(done);
    for (const pid of done) this.seenSince.delete(pid);
    const left = rows.filter((row) => !expired.includes(row.pid));
    const idle = left
      .filter((row) => !this.mayFinish(row))
      .map((row) => row.pid);
    const toEnd = idle.filter((pid) => this.idleBefore.has(pid));
    this.idleBefore = new Set(idle);
    if (toEnd.length > 0) {
      await this.dataSource.query(
        'SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid',
        [toEnd],
      );
      this.logger.warn(
        `Ended server process(es) ${toEnd.join(', ')}, so that statements held up on the way cannot take effect any more`,
      );
    }
    return left.length === 0;
  }

  /** A late statement still running is left to finish, within the statement timeout. */
  private mayFinish(row: BackendRow): boolean {
    const limitMs = this.timeouts.statementTimeoutMs + SETTLE_PROBE_INTERVAL_MS;
    return row.state === 'active' && (row.running_ms ?? 0) < limitMs;
  }
}
