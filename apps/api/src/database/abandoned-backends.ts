import { Injectable, Logger } from '@nestjs/common';
import type pg from 'pg';

/**
 * Only writes waiting for the database to settle prune the list (see
 * `DatabaseRecovery`); during an outage with reads only it grows, so it
 * keeps the latest this many (the oldest are the likeliest to be gone).
 */
const MAX_REMEMBERED = 1000;

/**
 * The server processes (backend pids) of connections this app gave up while
 * a statement was in flight: a timed-out query, a transaction past its
 * timeout, a connection that broke. Such a statement may still take effect
 * until its process is gone, which `DatabaseRecovery` waits for.
 */
@Injectable()
export class AbandonedBackends {
  private readonly logger = new Logger('Database');
  private readonly pids = new Set<number>();

  /**
   * Closes `client` at once (node-postgres destroys the socket when a
   * statement is in flight, and the pool then drops the connection) and
   * remembers its server process.
   */
  abandon(client: pg.Client, reason: string): void {
    this.remember(client, reason);
    client.end().catch(() => undefined);
  }

  /** Remembers the server process of a connection that broke mid-statement. */
  remember(client: pg.ClientBase, reason: string): void {
    // set by node-postgres from BackendKeyData; absent before the connection was up
    const pid: unknown = Reflect.get(client, 'processID');
    if (typeof pid !== 'number' || this.pids.has(pid)) return;
    this.pids.add(pid);
    if (this.pids.size > MAX_REMEMBERED) {
      this.pids.delete(this.pids.values().next().value as number);
    }
    this.logger.warn(
      `Gave up a connection with a statement in flight (${reason}); its outcome is unknown while server process ${pid} lives`,
    );
  }

  /** The server processes (pids) given up on and not yet known to be gone. */
  list(): number[] {
    return [...this.pids];
  }

  forget(pids: readonly number[]): void {
    for (const pid of pids) this.pids.delete(pid);
  }
}
