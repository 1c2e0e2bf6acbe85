import { CACHE_INVALIDATE_METADATA } from '../lexikon-cache.constants.js';
import type { CacheInvalidateOptions } from '../../declarative/cache-options.types.js';

/**
 * Invalidates entries when the method succeeds (or before it runs, with
 * `when: 'before'`). Strings are keys, or patterns when they contain `*`;
 * the decorator may be stacked. `TResult` types the result that target
 * functions receive.
 *
 * @example
 * ```ts
 * @CacheInvalidate('user:{id}', 'users:page:*')
 * @CacheInvalidate<Project>({ tags: (_ctx, project) => [`project:${project.id}`] })
 * async update(id: string, dto: UpdateProjectDto): Promise<Project> { ... }
 * ```
 */
export function CacheInvalidate<TResult = unknown>(
  ...targets: (string | CacheInvalidateOptions<TResult>)[]
): MethodDecorator {
  const entries = targets.map((t) =>
    typeof t === 'string'
      ? t.includes('*')
        ? { patterns: [t] }
        : { keys: [t] }
      : t,
  ) as CacheInvalidateOptions[];
  return (_target, _propertyKey, descriptor: PropertyDescriptor) => {
    const method = descriptor.value as object;
    const existing =
      (Reflect.getMetadata(CACHE_INVALIDATE_METADATA, method) as
        CacheInvalidateOptions[] | undefined) ?? [];
    Reflect.defineMetadata(
      CACHE_INVALIDATE_METADATA,
      [...existing, ...entries],
      method,
    );
    return descriptor;
  };
}
