import { Transform, type TransformFnParams } from 'class-transformer';
import { IsInt, IsOptional, Max, Min, ValidateBy } from 'class-validator';

const INTEGER = /^[+-]?\d+$/;
/** The longest timeout accepted: an hour. */
export const MAX_TIMEOUT_MS = 3_600_000;
const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

function toInteger({ value }: TransformFnParams): unknown {
  return typeof value === 'string' && INTEGER.test(value.trim())
    ? Number(value.trim())
    : value;
}

export function toBoolean({ value }: TransformFnParams): unknown {
  if (typeof value !== 'string') return value;
  const word = value.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return value;
}

function integerMessage(min: number, max?: number): string {
  if (max !== undefined) {
    return `$property must be an integer between ${min} and ${max}`;
  }
  return min === 0
    ? '$property must be a non-negative integer'
    : `$property must be an integer of at least ${min}`;
}

/** An optional integer variable within [min, max]. */
export function IntegerVariable(min: number, max?: number): PropertyDecorator {
  const message = integerMessage(min, max);
  return (target, key) => {
    IsOptional()(target, key);
    Transform(toInteger)(target, key);
    IsInt({ message })(target, key);
    Min(min, { message })(target, key);
    if (max !== undefined) Max(max, { message })(target, key);
  };
}

/** An optional URL variable whose scheme is one of `protocols` (e.g. `redis:`). */
export function UrlVariable(protocols: readonly string[]): PropertyDecorator {
  const schemes = protocols.map((p) => `${p}//`).join(' or ');
  return (target, key) => {
    IsOptional()(target, key);
    ValidateBy({
      name: 'isUrlWithProtocol',
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string') return false;
          try {
            const url = new URL(value);
            return protocols.includes(url.protocol) && url.hostname !== '';
          } catch {
            return false;
          }
        },
        defaultMessage: () => `$property must be a ${schemes} URL`,
      },
    })(target, key);
  };
}

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const DURATION_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const OFF_WORDS = new Set(['0', 'off', 'false']);

/** `'10m'` → 600000; `0`/`off`/`false` → 0; anything else is left for the validator to reject. */
function toDurationMs({ value }: TransformFnParams): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim().toLowerCase();
  if (OFF_WORDS.has(text)) return 0;
  const match = DURATION.exec(text);
  return match ? Number(match[1]) * DURATION_UNIT_MS[match[2]] : value;
}

/**
 * An optional duration variable with its unit (`500ms`, `30s`, `10m`, `2h`,
 * `1d`), parsed to milliseconds, at most `maxMs`; `0` or `off` is 0 (off).
 * A bare number other than 0 is rejected, so that no unit is guessed.
 */
export function DurationVariable(
  maxMs: number,
  maxText: string,
): PropertyDecorator {
  const message = `$property must be a duration with its unit (500ms, 30s, 10m, 2h, 1d) of at most ${maxText}, or 0 or off`;
  return (target, key) => {
    IsOptional()(target, key);
    Transform(toDurationMs)(target, key);
    IsInt({ message })(target, key);
    Min(0, { message })(target, key);
    Max(maxMs, { message })(target, key);
  };
}
