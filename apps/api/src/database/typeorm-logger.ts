import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLoggerContract } from 'typeorm';

/** PostgreSQL's "terminating connection due to administrator command". */
const ADMIN_SHUTDOWN = '57P01';

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A query on one line, cut to 200 characters. */
function abbreviate(query: string): string {
  const line = query.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Routes TypeORM's log through Nest's `Logger`. Query parameters are never
 * logged (they may carry emails and key hashes). Failed queries are logged at
 * debug level: the expected ones (unique violations) become domain errors and
 * the others reach the exception filter, which logs them.
 */
export class TypeOrmLogger implements TypeOrmLoggerContract {
  private readonly logger = new Logger('TypeORM');

  logQuery(query: string): void {
    this.logger.verbose(query);
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug(`Query failed (${describe(error)}): ${query}`);
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`Slow query (${time} ms): ${abbreviate(query)}`);
  }

  /** Migration outcomes and `migration:show` lines are logged; the rest is debug. */
  logSchemaBuild(message: string): void {
    if (/(executed|reverted) successfully|^\[[X ]\] /.test(message)) {
      this.logger.log(message);
    } else {
      this.logger.debug(message);
    }
  }

  logMigration(message: string): void {
    this.logger.log(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(describe(message));
    else this.logger.debug(describe(message));
  }

  /** Errors of idle pooled connections, e.g. while PostgreSQL shuts down. */
  logPoolError(error: unknown): void {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === ADMIN_SHUTDOWN) {
      this.logger.debug(
        `Pooled connection closed by the server: ${describe(error)}`,
      );
    } else {
      this.logger.warn(`Pooled connection failed: ${describe(error)}`);
    }
  }
}
