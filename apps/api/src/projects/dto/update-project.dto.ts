import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { IfPresent } from '../../common/validation/present.decorator.js';
import { Trim } from '../../common/validation/trim.transform.js';

export class UpdateProjectDto {
  @ApiPropertyOptional({
    example: 'Kitchen French',
    minLength: 1,
    maxLength: 200,
  })
  @IfPresent()
  @Trim()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    description: '`null` clears the description',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}
