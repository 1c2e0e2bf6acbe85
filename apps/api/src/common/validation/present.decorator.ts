import { ValidateIf } from 'class-validator';

/**
 * Validates the property only when it is present. Unlike `@IsOptional()`,
 * `null` is still validated (and rejected by the other rules), for fields
 * that may be left out of a PATCH but never cleared.
 */
export const IfPresent = (): PropertyDecorator =>
  ValidateIf((_object: object, value: unknown) => value !== undefined);
