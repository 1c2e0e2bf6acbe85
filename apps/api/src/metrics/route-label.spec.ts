import { Controller, Get, type Type } from '@nestjs/common';
import { routeLabel } from './route-label.js';

@Controller('users')
class UsersLike {
  @Get()
  list(): void {}

  @Get(':id')
  one(): void {}

  @Get(['me/', 'self'])
  me(): void {}
}

@Controller()
class RootLike {
  @Get('/health//live/')
  live(): void {}
}

/** A handler as Nest holds it: the prototype's function, not a bound method. */
function label(controller: Type, name: string): string {
  return routeLabel(
    controller,
    Reflect.get(controller.prototype as object, name) as object,
  );
}

describe('routeLabel', () => {
  it('joins the controller and handler paths into the route template', () => {
    expect(label(UsersLike, 'list')).toBe('/users');
    expect(label(UsersLike, 'one')).toBe('/users/:id');
  });

  it('takes the first of several paths and normalises slashes', () => {
    expect(label(UsersLike, 'me')).toBe('/users/me');
    expect(label(RootLike, 'live')).toBe('/health/live');
  });
});
