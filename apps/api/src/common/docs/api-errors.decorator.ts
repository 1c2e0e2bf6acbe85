import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiResponse } from '@nestjs/swagger';
import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from '../filters/all-exceptions.filter.js';

/** The error body, for the OpenAPI document. */
export class ErrorResponse implements ErrorBody {
  @ApiProperty({ example: 404 })
  statusCode: number;

  @ApiProperty({ example: 'Not Found' })
  error: string;

  @ApiProperty({ example: 'Project 6f1c… not found' })
  message: string;
}

/**
 * Documents the error statuses a route can answer with.
 *
 * @example
 * @ApiErrors(400, 401, 404)
 * @Get(':id')
 * findOne() {}
 */
export function ApiErrors(
  ...statuses: number[]
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        type: ErrorResponse,
        description: STATUS_CODES[status],
      }),
    ),
  );
}
