import { Transform } from 'class-transformer';

/** Trims string input before validation (other values pass unchanged). */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim() : value,
  );
