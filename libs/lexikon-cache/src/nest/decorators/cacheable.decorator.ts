import { SetMetadata } from '@nestjs/common';
import { CACHEABLE_METADATA } from '../lexikon-cache.constants.js';
import type { CacheableOptions } from '../../declarative/cache-options.types.js';

/**
 * Serves the method's result from the cache, loading it once on a miss.
 * On a controller handler (GET/HEAD) the response is cached and scoped to
 * the authenticated principal unless `scope: 'public'`; on a service method
 * the result is, with the same engine.
 *
 * @example
 * ```ts
 * @Cacheable({ key: 'term:{id}', ttl: '5m', tags: ['project:{result.projectId}'] })
 * async findOne(id: string): Promise<Term> { ... }
 * ```
 */
export const Cacheable = <TResult = unknown>(
  options: CacheableOptions<TResult> = {},
) => SetMetadata(CACHEABLE_METADATA, options);
