/**
 * A length of time: a number of milliseconds, or a string with its unit
 * (`'250ms'`, `'30s'`, `'5m'`, `'1h'`, `'7d'`). Every duration option of the
 * library takes one, so no bare number leaves its unit to be guessed.
 *
 * @example
 * LexikonCacheModule.forRoot({ defaultTtl: '10m', commandTimeout: '250ms' })
 */
export type Duration = number | `${number}${DurationUnit}`;

/**
 * The units a `Duration` string may end with: milliseconds, seconds,
 * minutes, hours, days.
 *
 * @example
 * const unit: DurationUnit = 'm'; // as in ttl: '5m'
 */
export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

const UNIT_MS: Record<DurationUnit, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
/** setTimeout's limit, and a sane bound for every duration we take. */
export const MAX_DURATION_MS = 2 ** 31 - 1;

/**
 * Milliseconds of a duration (a string's rounded to a whole ms), or
 * undefined when the value is not a positive duration within
 * `MAX_DURATION_MS` (a number must be a whole number of ms).
 */
export function durationMs(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return undefined;
    ms = value;
  } else if (typeof value === 'string') {
    const m = DURATION.exec(value.trim());
    if (!m) return undefined;
    ms = Number(m[1]) * UNIT_MS[m[2] as DurationUnit];
  } else {
    return undefined;
  }
  if (!Number.isFinite(ms) || ms <= 0) return undefined;
  const rounded = Math.round(ms);
  return rounded >= 1 && rounded <= MAX_DURATION_MS ? rounded : undefined;
}

/** How a duration is spelled in messages. */
export function describeDuration(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
