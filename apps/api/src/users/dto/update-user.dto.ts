import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { IfPresent } from '../../common/validation/present.decorator.js';
import { Trim } from '../../common/validation/trim.transform.js';

export class UpdateUserDto {
  @ApiPropertyOptional({ example: 'ada@example.com', maxLength: 254 })
  @IfPresent()
  @Trim()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({
    example: 'Ada Lovelace',
    minLength: 1,
    maxLength: 100,
  })
  @IfPresent()
  @Trim()
  @IsString()
  @Length(1, 100)
  name?: string;
}
