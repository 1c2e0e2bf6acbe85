import { DomainError } from './domain.error.js';

/** No valid credentials were presented. */
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}
