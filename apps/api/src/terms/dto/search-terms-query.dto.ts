import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';

export class SearchTermsQueryDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 100,
    description:
      'Case-insensitive substring of the name; % _ and \\ match literally',
  })
  @IsString()
  @Length(1, 100)
  q: string;
}
