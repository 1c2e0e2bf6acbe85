import { DomainError } from './domain.error.js';

/** The caller is known but may not perform this action. */
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}
