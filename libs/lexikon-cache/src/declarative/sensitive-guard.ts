import { SensitiveValueError } from '../core/errors/lexikon-cache.error.js';
import type { ResolvedEntryOptions } from '../core/options/resolve-entry-options.js';
import { SensitiveFieldMatcher } from './sensitive-fields.js';

/**
 * The guard on fills: a value a decorator is about to store is looked
 * through for fields whose name looks secret (see `SensitiveFieldMatcher`).
 * Runs only when a value is to be stored, never on a hit. `'warn'`: the
 * value is not stored, with a warning once per route or method and field
 * path; `'strict'`: the call fails with `SensitiveValueError`; `'off'`:
 * nothing is checked.
 */
export class SensitiveGuard {
  private readonly matcher: SensitiveFieldMatcher | undefined;
  private readonly strict: boolean;

  constructor(
    options: ResolvedEntryOptions,
    private readonly warnOnce: (message: string) => void,
  ) {
    this.strict = options.sensitiveGuard === 'strict';
    this.matcher =
      options.sensitiveGuard === 'off' || options.sensitiveFields.length === 0
        ? undefined
        : new SensitiveFieldMatcher(options.sensitiveFields);
  }

  /**
   * Whether `where` may store `value`. Throws `SensitiveValueError` in
   * strict mode when it may not.
   */
  admits(where: string, value: unknown): boolean {
    if (this.matcher === undefined) return true;
    const path = this.matcher.find(value);
    if (path === undefined) return true;
    if (this.strict) throw SensitiveValueError.create(where, path);
    this.warnOnce(
      `${where}: not caching a value whose field "${path}" looks secret; leave it out of the result, or set allowSensitive: true on the decorator to cache it knowingly`,
    );
    return false;
  }
}
