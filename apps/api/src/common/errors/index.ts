export { ConflictError } from './conflict.error.js';
export { DomainError } from './domain.error.js';
export { ForbiddenError } from './forbidden.error.js';
export { NotFoundError } from './not-found.error.js';
export { UnauthenticatedError } from './unauthenticated.error.js';
