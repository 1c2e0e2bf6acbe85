import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '../../common/validation/trim.transform.js';

export class CreateProjectDto {
  @ApiProperty({ example: 'Kitchen French', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: 2000,
    description: '`null` means none; in a PATCH, `null` clears it',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;
}
