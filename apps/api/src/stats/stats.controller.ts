import { Cacheable } from '@lexikon/cache';
import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { cacheTags } from '../cache/cache-tags.js';
import { ApiErrors } from '../common/docs/api-errors.decorator.js';
import { StatsService } from './stats.service.js';
import { StatsView } from './stats.view.js';

@ApiTags('stats')
@ApiBearerAuth()
@Controller('stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  // counts may lag: writes outdate them softly, so that with the database
  // down the last ones are served (X-Cache: STALE) for an hour past their TTL
  @Cacheable({
    key: 'stats:counts',
    ttl: '5m',
    scope: 'public',
    tags: [cacheTags.stats],
    grace: '1h',
  })
  @ApiOkResponse({
    type: StatsView,
    description: 'How many users, projects and terms exist',
  })
  @ApiErrors(401)
  getCounts(): Promise<StatsView> {
    return this.stats.getCounts();
  }
}
