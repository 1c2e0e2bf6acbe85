import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
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

/** Maps domain errors, HTTP exceptions and unexpected errors to an {@link ErrorBody}. */
export function toErrorBody(exception: unknown): ErrorBody {
  let statusCode: number = HttpStatus.INTERNAL_SERVER_ERROR;
  let message = 'Internal server error';
  if (exception instanceof DomainError) {
    statusCode = domainStatus(exception);
    if (statusCode < 500) message = exception.message;
  } else if (exception instanceof HttpException) {
    statusCode = exception.getStatus();
    if (statusCode < 500) message = httpExceptionMessage(exception);
  }
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
  };
}

/**
 * Answers every error with `{ statusCode, error, message }`. Server faults
 * are logged with their stack and answered without details.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ExceptionsHandler');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response: unknown = host.switchToHttp().getResponse();
    const body = toErrorBody(exception);
    if (body.statusCode >= 500) {
      const error =
        exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(error.message, error.stack);
    }
    if (httpAdapter.isHeadersSent(response)) return;
    if (body.statusCode === 401) {
      httpAdapter.setHeader(response, 'WWW-Authenticate', 'Bearer');
    }
    httpAdapter.reply(response, body, body.statusCode);
  }
}
