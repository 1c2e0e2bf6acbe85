/**
 * The injection token of the module's store (a `CacheStore`): a plain
 * symbol, so that the health indicator can reach the store without the
 * core knowing of any container.
 *
 * @internal
 */
export const CACHE_STORE = Symbol('lexikon-cache:store');
