import {
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { UnauthenticatedError } from '../common/errors/index.js';
import { UsersService } from '../users/users.service.js';
import { hashApiKey, looksLikeApiKey } from './api-key.js';
import type { AuthenticatedRequest } from './principal.js';
import { IS_PUBLIC } from './public.decorator.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Global guard: every route needs `Authorization: Bearer <api key>` unless
 * marked {@link Public}. The key's sha256 is looked up through
 * `UsersService.findByApiKeyHash`; the caller becomes `request.user`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(
      IS_PUBLIC,
      [context.getHandler(), context.getClass()],
    );
    if (isPublic) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) {
      throw new UnauthenticatedError('Missing bearer API key');
    }
    const apiKey = match[1];
    const principal = looksLikeApiKey(apiKey)
      ? await this.users.findByApiKeyHash(hashApiKey(apiKey))
      : null;
    if (!principal) {
      throw new UnauthenticatedError('Invalid API key');
    }
    request.user = principal;
    return true;
  }
}
