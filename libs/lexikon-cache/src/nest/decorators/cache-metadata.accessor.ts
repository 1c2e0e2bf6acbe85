import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  CACHE_INVALIDATE_METADATA,
  CACHE_PUT_METADATA,
  CACHEABLE_METADATA,
} from '../lexikon-cache.constants.js';
import type {
  CacheableOptions,
  CacheInvalidateOptions,
  CachePutOptions,
  CacheMetadata,
} from '../../declarative/cache-options.types.js';

/** Reads the decorators' metadata of a method, in one typed place. */
@Injectable()
export class CacheMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  read(method: object): CacheMetadata | undefined {
    const target = method as (...args: unknown[]) => unknown;
    const cacheable = this.reflector.get<CacheableOptions | undefined>(
      CACHEABLE_METADATA,
      target,
    );
    const put = this.reflector.get<CachePutOptions | undefined>(
      CACHE_PUT_METADATA,
      target,
    );
    const invalidate =
      this.reflector.get<CacheInvalidateOptions[] | undefined>(
        CACHE_INVALIDATE_METADATA,
        target,
      ) ?? [];
    if (!cacheable && !put && invalidate.length === 0) return undefined;
    return { cacheable, put, invalidate };
  }
}
