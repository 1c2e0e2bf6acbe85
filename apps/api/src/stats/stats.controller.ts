import { Cacheable } from '@lexikon/cache';
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
  // the one route allowed to be stale: counts are cached for five minutes, by TTL only
  @Cacheable({ key: 'stats:counts', ttl: '5m', scope: 'public' })
  @ApiOkResponse({
    type: StatsView,
    description: 'How many users, projects and terms exist',
  })
  @ApiErrors(401)
  getCounts(): Promise<StatsView> {
    return this.stats.getCounts();
  }
}
