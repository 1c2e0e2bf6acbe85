/** DI token of the options with defaults applied (internal). */
export const RESOLVED_CACHE_OPTIONS = Symbol('lexikon-cache:resolved-options');

/** Metadata keys of the decorators. */
export const CACHEABLE_METADATA = 'lexikon-cache:cacheable';
export const CACHE_INVALIDATE_METADATA = 'lexikon-cache:invalidate';
export const CACHE_PUT_METADATA = 'lexikon-cache:put';
