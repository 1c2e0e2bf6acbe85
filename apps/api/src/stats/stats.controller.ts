import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../common/docs/api-errors.decorator.js';
import { StatsService } from './stats.service.js';
import { StatsView } from './stats.view.js';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOkResponse({
    type: StatsView,
    description: 'How many users, projects and terms exist',
  })
  @ApiErrors(401)
  getCounts(): Promise<StatsView> {
    return this.stats.getCounts();
  }
}
