import { ApiProperty } from '@nestjs/swagger';

export class StatsView {
  @ApiProperty({ example: 3 })
  users: number;

  @ApiProperty({ example: 3 })
  projects: number;

  @ApiProperty({ example: 12 })
  terms: number;
}
