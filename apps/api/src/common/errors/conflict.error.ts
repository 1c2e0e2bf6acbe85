import { DomainError } from './domain.error.js';

/** The change would violate a uniqueness rule (e.g. a taken email). */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}
