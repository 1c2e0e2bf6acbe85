import {
  Catch,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import {
  databaseTimeoutsConfig,
  type DatabaseTimeoutsConfig,
} from '../../config/database-timeouts.config.js';
import {
  describeDatabaseFault,
  type DatabaseFault,
} from '../../database/database-fault.js';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
} from '../errors/index.js';

/** The body of every error response. */
export interface ErrorBody {
  statusCode: number;
  /** The HTTP reason phrase, e.g. `Not Found`. */
  error: string;
  message: string;
}

const DOMAIN_STATUS = new Map<
  abstract new (...args: never[]) => DomainError,
  number
>([
  [NotFoundError, HttpStatus.NOT_FOUND],
  [ForbiddenError, HttpStatus.FORBIDDEN],
  [ConflictError, HttpStatus.CONFLICT],
  [UnauthenticatedError, HttpStatus.UNAUTHORIZED],
]);

function domainStatus(error: DomainError): number {
  for (const [type, status] of DOMAIN_STATUS) {
    if (error instanceof type) return status;
  }
  return HttpStatus.INTERNAL_SERVER_ERROR;
}

function httpExceptionMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  if (typeof response === 'object' && response !== null) {
    const message = (response as { message?: unknown }).message;
    if (Array.isArray(message)) return message.map(String).join('; ');
    if (typeof message === 'string') return message;
  }
  return exception.message;
}

/** Logs about the database being unavailable: at most one a second. */
const FAULT_LOG_INTERVAL_MS = 1000;

function faultMessage(fault: DatabaseFault): string {
  return fault.kind === 'no-answer' || fault.kind === 'statement-timeout'
    ? 'The database did not answer in time; retry later'
    : 'The database is unavailable; retry later';
}

/**
 * Maps domain errors, HTTP exceptions, the database being unavailable (503)
 * and unexpected errors (500) to an {@link ErrorBody}.
 */
export function toErrorBody(exception: unknown): ErrorBody {
  let statusCode: number = HttpStatus.INTERNAL_SERVER_ERROR;
  let message = 'Internal server error';
  if (exception instanceof DomainError) {
    statusCode = domainStatus(exception);
    if (statusCode < 500) message = exception.message;
  } else if (exception instanceof HttpException) {
    statusCode = exception.getStatus();
    if (statusCode < 500) message = httpExceptionMessage(exception);
  } else {
    const fault = describeDatabaseFault(exception);
    if (fault) {
      statusCode = HttpStatus.SERVICE_UNAVAILABLE;
      message = faultMessage(fault);
    }
  }
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
  };
}

/**
 * Answers every error with `{ statusCode, error, message }`. Server faults
 * are logged with their stack and answered without details. The database
 * being unavailable (refused, reset, timed out: see `describeDatabaseFault`)
 * is 503 with `Retry-After: DB_RETRY_AFTER_SECONDS`, logged as a warning at
 * most once a second, without a stack: it is an outage, not a bug.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');
  private lastFaultLog = 0;
  private faultsNotLogged = 0;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(databaseTimeoutsConfig.KEY)
    private readonly timeouts: DatabaseTimeoutsConfig,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    const body = toErrorBody(exception);
    const fault =
      body.statusCode === 503 ? describeDatabaseFault(exception) : undefined;
    if (fault) {
      this.logFault(fault);
    } else if (body.statusCode >= 500) {
      const error =
        exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(error.message, error.stack);
    }
    if (httpAdapter.isHeadersSent(response)) return;
    if (body.statusCode === 401) {
      httpAdapter.setHeader(response, 'WWW-Authenticate', 'Bearer');
    }
    if (fault) {
      httpAdapter.setHeader(
        response,
        'Retry-After',
        String(this.timeouts.retryAfterSeconds),
      );
    }
    httpAdapter.reply(response, body, body.statusCode);
  }

  private logFault(fault: DatabaseFault): void {
    const now = Date.now();
    if (now - this.lastFaultLog < FAULT_LOG_INTERVAL_MS) {
      this.faultsNotLogged++;
      return;
    }
    const more = this.faultsNotLogged
      ? ` (and ${this.faultsNotLogged} more since the last such line)`
      : '';
    this.lastFaultLog = now;
    this.faultsNotLogged = 0;
    this.logger.warn(
      `Answered 503: the database is unavailable (${fault.kind}: ${fault.detail})${more}`,
    );
  }
}
