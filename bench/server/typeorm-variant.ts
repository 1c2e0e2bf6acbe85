import { Controller, Get, Param } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { createDataSourceOptions } from '../../apps/api/src/database/data-source-options.js';
import { UncertainWrites } from '../../apps/api/src/cache/uncertain-writes.service.js';
import { Project } from '../../apps/api/src/projects/project.entity.js';
import { Term } from '../../apps/api/src/terms/term.entity.js';
import type { TermView } from '../../apps/api/src/terms/term.view.js';
import { TermsService } from '../../apps/api/src/terms/terms.service.js';
import {
  type BenchServerConfig,
  typeormApplicationName,
} from './server-config.js';
import { TermSource } from './term.source.js';

/**
 * Variant 2: the API's own read path for a term, without the cache:
 * `TermsService.findOne` (TypeORM repository `findOneBy`, then the API's
 * view mapping) on the API's data source settings, against the bench
 * database. Loaded only by the variant-2 servers (see variant-modules.ts).
 */
@Controller()
export class TypeormTermsController {
  constructor(
    private readonly source: TermSource,
    private readonly terms: TermsService,
  ) {}

  @Get('terms/:id')
  term(@Param('id') id: string): Promise<TermView> {
    this.source.termLoads++;
    return this.terms.findOne(id);
  }
}

/** The imports and providers variant 2 adds to the bench module. */
export function typeormVariant(config: BenchServerConfig) {
  if (!config.databaseUrl)
    throw new Error('variant typeorm needs databaseUrl in its config');
  return {
    imports: [
      TypeOrmModule.forRoot({
        ...createDataSourceOptions({ url: config.databaseUrl }),
        applicationName: typeormApplicationName(config.adapter),
        retryAttempts: 1,
      }),
      TypeOrmModule.forFeature([Term, Project]),
    ],
    // without a cache, UncertainWrites has nothing to invalidate
    providers: [TermsService, UncertainWrites],
    controllers: [TypeormTermsController],
  };
}
