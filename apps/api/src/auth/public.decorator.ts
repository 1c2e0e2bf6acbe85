import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'lexikon:public';

/**
 * Exempts a route (or a whole controller) from API key authentication.
 *
 * @example
 * @Public()
 * @Post()
 * register(@Body() dto: CreateUserDto) {}
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  SetMetadata(IS_PUBLIC, true);
