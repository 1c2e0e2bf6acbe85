import { DomainError } from './domain.error.js';

/** The addressed resource does not exist. */
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';

  /** @example throw NotFoundError.of('Project', id); */
  static of(entity: string, id: string): NotFoundError {
    return new NotFoundError(`${entity} ${id} not found`);
  }
}
