import { ApiProperty } from '@nestjs/swagger';
import { IsString, IsUUID, Length } from 'class-validator';
import { Trim } from '../../common/validation/trim.transform.js';

export class CreateTermDto {
  @ApiProperty({ format: 'uuid', description: 'A project the caller owns' })
  @IsUUID()
  projectId: string;

  @ApiProperty({ example: 'Mise en place', minLength: 1, maxLength: 200 })
  @Trim()
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({
    example: 'Everything in its place.',
    minLength: 1,
    maxLength: 10000,
  })
  @IsString()
  @Length(1, 10000)
  definition: string;
}
