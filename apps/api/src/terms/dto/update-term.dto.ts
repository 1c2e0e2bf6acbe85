import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { IfPresent } from '../../common/validation/present.decorator.js';
import { Trim } from '../../common/validation/trim.transform.js';

export class UpdateTermDto {
  @ApiPropertyOptional({
    example: 'Mise en place',
    minLength: 1,
    maxLength: 200,
  })
  @IfPresent()
  @Trim()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 10000 })
  @IfPresent()
  @IsString()
  @Length(1, 10000)
  definition?: string;
}
