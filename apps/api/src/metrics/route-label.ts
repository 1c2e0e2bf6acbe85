import { PATH_METADATA } from '@nestjs/common/constants.js';
import type { Type } from '@nestjs/common';

function firstPath(value: unknown): string {
  const path: unknown = Array.isArray(value) ? value[0] : value;
  return typeof path === 'string' ? path : '';
}

/**
 * The route template of a handler (`/users/:id`), from its `@Controller()`
 * and `@Get()` paths: a label of bounded cardinality, unlike the request URL.
 *
 * @example
 * routeLabel(UsersController, UsersController.prototype.findOne); // '/users/:id'
 */
export function routeLabel(controller: Type, handler: object): string {
  const parts = [
    firstPath(Reflect.getMetadata(PATH_METADATA, controller)),
    firstPath(Reflect.getMetadata(PATH_METADATA, handler)),
  ]
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment !== '');
  return `/${parts.join('/')}`;
}
