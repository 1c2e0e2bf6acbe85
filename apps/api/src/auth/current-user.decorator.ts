import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { UnauthenticatedError } from '../common/errors/index.js';
import type { AuthenticatedRequest, Principal } from './principal.js';

/**
 * The authenticated caller (`request.user`).
 *
 * @example
 * @Get('me')
 * me(@CurrentUser() user: Principal) {}
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.user) {
      throw new UnauthenticatedError('Authentication required');
    }
    return request.user;
  },
);
