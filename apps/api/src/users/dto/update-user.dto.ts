import { PartialType } from '@nestjs/swagger';
import { CreateUserDto } from './create-user.dto.js';

/**
 * A user's email and/or name. A field may be left out, but `null` is
 * validated like any value (and rejected): neither can be cleared.
 */
export class UpdateUserDto extends PartialType(CreateUserDto, {
  skipNullProperties: false,
}) {}
