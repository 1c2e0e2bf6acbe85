import { SetMetadata } from '@nestjs/common';
import { CACHE_PUT_METADATA } from '../lexikon-cache.constants.js';
import type { CachePutOptions } from '../../declarative/cache-options.types.js';

/**
 * Always runs the method and stores its result (write-through).
 *
 * @example
 * ```ts
 * @CachePut({ key: 'user:{result.id}', ttl: '10m' })
 * async update(id: string, dto: UpdateUserDto): Promise<User> { ... }
 * ```
 */
export const CachePut = <TResult = unknown>(
  options: CachePutOptions<TResult> = {},
) => SetMetadata(CACHE_PUT_METADATA, options);
