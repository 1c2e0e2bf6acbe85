/**
 * Stable codes of every error the library throws, on `LexikonCacheError.code`.
 *
 * @example
 * if (err instanceof LexikonCacheError && err.code === 'INVALID_KEY') { ... }
 */
export type LexikonCacheErrorCode =
  | 'INVALID_OPTIONS'
  | 'INVALID_TTL'
  | 'INVALID_KEY'
  | 'UNENCODABLE_VALUE'
  | 'WRONG_TYPE'
  | 'CROSS_SLOT_BATCH'
  | 'INVALID_TEMPLATE'
  | 'INVALID_DECORATION'
  | 'SENSITIVE_VALUE'
  | 'UNAVAILABLE'
  | 'LOADER_TIMEOUT';

/**
 * Base class of the library's errors: a stable `code` to branch on and the
 * original `cause` kept.
 *
 * @example
 * try { await cache.set('k', () => 1); } catch (e) {
 *   if (e instanceof LexikonCacheError && e.code === 'UNENCODABLE_VALUE') { ... }
 * }
 */
export class LexikonCacheError extends Error {
  constructor(
    readonly code: LexikonCacheErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * Module options that cannot work; thrown at start-up, naming the option.
 *
 * @example
 * LexikonCacheModule.forRoot({ keyPrefix: '' }); // start-up fails: CacheOptionsError on keyPrefix
 */
export class CacheOptionsError extends LexikonCacheError {
  constructor(message: string) {
    super('INVALID_OPTIONS', message);
  }
}

/**
 * A TTL that is not a positive duration.
 *
 * @example
 * await cache.set('user:1', user, { ttl: '5 minutes' }); // rejects with InvalidTtlError; use '5m'
 */
export class InvalidTtlError extends LexikonCacheError {
  static create(ttl: unknown): InvalidTtlError {
    return new InvalidTtlError(
      'INVALID_TTL',
      `TTL must be a positive duration: a number of milliseconds, or a string such as '30s' or '5m'; got ${typeof ttl === 'string' ? JSON.stringify(ttl) : String(ttl)}`,
    );
  }
}

/**
 * A key that is empty, not a string, or one of the library's own names.
 *
 * @example
 * await cache.get(''); // rejects with InvalidKeyError
 */
export class InvalidKeyError extends LexikonCacheError {
  static create(key: unknown): InvalidKeyError {
    const what =
      typeof key !== 'string'
        ? typeof key
        : key === ''
          ? '""'
          : 'a key starting with "{tags}", which the library reserves for tag versions';
    return new InvalidKeyError(
      'INVALID_KEY',
      `Cache keys must be non-empty strings, got ${what}`,
    );
  }
}

/**
 * A value the codec cannot represent (function, symbol, circular
 * structure); nothing is written.
 *
 * @example
 * await cache.set('handler', { run: () => 1 }); // rejects with UnencodableValueError
 */
export class UnencodableValueError extends LexikonCacheError {
  static create(path: string, reason: string): UnencodableValueError {
    return new UnencodableValueError(
      'UNENCODABLE_VALUE',
      `Cannot cache value: ${reason} at ${path || '<root>'}`,
    );
  }
}

/**
 * An operation applied to an entry of another kind (e.g. increment on a
 * non-counter).
 *
 * @example
 * await cache.set('visits', 'many');
 * await cache.increment('visits'); // rejects with CacheWrongTypeError
 */
export class CacheWrongTypeError extends LexikonCacheError {
  static create(operation: string, key: string): CacheWrongTypeError {
    return new CacheWrongTypeError(
      'WRONG_TYPE',
      `${operation} failed: the entry "${key}" does not hold an integer counter`,
    );
  }
}

/**
 * An atomic batch whose keys live in different Redis Cluster slots.
 *
 * @example
 * // in Redis Cluster: rejects with CrossSlotBatchError
 * await cache.batch((b) => b.get('cart:42:items').get('cart:42:total'));
 * // one hash tag, one slot: fine
 * await cache.batch((b) => b.get('{cart:42}:items').get('{cart:42}:total'));
 */
export class CrossSlotBatchError extends LexikonCacheError {
  static create(): CrossSlotBatchError {
    return new CrossSlotBatchError(
      'CROSS_SLOT_BATCH',
      'An atomic batch in Redis Cluster must use keys of one hash slot: give them a common hash tag, e.g. "{cart:42}:items" and "{cart:42}:total"',
    );
  }
}

/**
 * A key or tag template that cannot be resolved from the method's
 * arguments; thrown at start-up, naming `Class.method`.
 *
 * @example
 * ```ts
 * @Cacheable({ key: 'user:{userId}' }) // start-up fails: findOne has no parameter userId
 * async findOne(id: string) { ... }
 * ```
 */
export class CacheTemplateError extends LexikonCacheError {
  static create(
    where: string,
    template: string,
    reason: string,
  ): CacheTemplateError {
    return new CacheTemplateError(
      'INVALID_TEMPLATE',
      `${where}: cache template "${template}" ${reason}`,
    );
  }
}

/**
 * A cache decorator placed where it cannot work (e.g. on a synchronous
 * method); thrown at start-up, naming `Class.method`.
 *
 * @example
 * ```ts
 * @Cacheable({ key: 'user:{id}' }) // start-up fails: the method is not async
 * findOne(id: string) { ... }
 * ```
 */
export class CacheDecorationError extends LexikonCacheError {
  static create(where: string, reason: string): CacheDecorationError {
    return new CacheDecorationError(
      'INVALID_DECORATION',
      `${where}: ${reason}`,
    );
  }
}

/**
 * A decorated route or method produced a value to cache with a field whose
 * name looks secret, and the module's `sensitiveGuard` is `'strict'`.
 *
 * @example
 * await expect(users.findOne(id)).rejects.toBeInstanceOf(SensitiveValueError);
 */
export class SensitiveValueError extends LexikonCacheError {
  static create(where: string, path: string): SensitiveValueError {
    return new SensitiveValueError(
      'SENSITIVE_VALUE',
      `${where}: the value to cache has a field that looks secret at "${path}"; leave it out of the result, or set allowSensitive: true on the decorator to cache it knowingly`,
    );
  }
}

/**
 * The store could not be reached: the error of batch outcomes, and of
 * `CacheService.info()`; reads and writes never throw it.
 *
 * @example
 * const [views] = await cache.batch((b) => b.increment('views'));
 * if (!views.ok && views.error instanceof CacheUnavailableError) { ... }
 */
export class CacheUnavailableError extends LexikonCacheError {
  static create(operation: string): CacheUnavailableError {
    return new CacheUnavailableError(
      'UNAVAILABLE',
      `${operation}: the cache store is unavailable`,
    );
  }
}

/**
 * A loader ran past its hard timeout (`timeouts.hard`) and no entry within
 * its grace period could be served instead. The load itself goes on, and
 * still fills the entry if it completes while nothing invalidated it.
 *
 * @example
 * try { await cache.getOrSet('rates', load, { timeouts: { hard: '2s' } }); }
 * catch (err) { if (err instanceof LoaderTimeoutError) { ... } }
 */
export class LoaderTimeoutError extends LexikonCacheError {
  static create(namespace: string, ms: number): LoaderTimeoutError {
    return new LoaderTimeoutError(
      'LOADER_TIMEOUT',
      `The loader of a "${namespace}" entry did not answer within ${ms} ms`,
    );
  }
}
