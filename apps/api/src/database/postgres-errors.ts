import { QueryFailedError } from 'typeorm';

const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';

function violates(error: unknown, code: string, constraint: string): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as {
    code?: unknown;
    constraint?: unknown;
  };
  return driverError.code === code && driverError.constraint === constraint;
}

/** Whether `error` is PostgreSQL's unique violation of `constraint`. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  return violates(error, UNIQUE_VIOLATION, constraint);
}

/** Whether `error` is PostgreSQL's foreign key violation of `constraint`. */
export function isForeignKeyViolation(
  error: unknown,
  constraint: string,
): boolean {
  return violates(error, FOREIGN_KEY_VIOLATION, constraint);
}
