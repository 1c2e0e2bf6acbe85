import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentUser } from '../auth/current-user.decorator.js';
import type { Principal } from '../auth/principal.js';
import { ApiErrors } from '../common/docs/api-errors.decorator.js';
import { ParseIdPipe } from '../common/validation/parse-id.pipe.js';
import { cacheTags, paramId } from '../cache/cache-tags.js';
import { Cacheable } from '@lexikon/cache';
import { PageQueryDto } from '../common/paging/page-query.dto.js';
import { TermView } from '../terms/term.view.js';
import { TermsService } from '../terms/terms.service.js';
import { CreateProjectDto } from './dto/create-project.dto.js';
import { UpdateProjectDto } from './dto/update-project.dto.js';
import { ProjectPageView, ProjectView } from './project.view.js';
import { ProjectsService } from './projects.service.js';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly terms: TermsService,
  ) {}

  @Post()
  @ApiCreatedResponse({ type: ProjectView })
  @ApiErrors(400, 401, 413)
  create(
    @CurrentUser() caller: Principal,
    @Body() dto: CreateProjectDto,
  ): Promise<ProjectView> {
    return this.projects.create(caller.id, dto);
  }

  @Get()
  @Cacheable({
    key: 'projects:page:{page=1}:{limit=20}',
    scope: 'public',
    tags: [cacheTags.projects],
  })
  @ApiOkResponse({ type: ProjectPageView })
  @ApiErrors(400, 401)
  findPage(@Query() query: PageQueryDto): Promise<ProjectPageView> {
    return this.projects.findPage(query.page, query.limit);
  }

  @Get(':id')
  @Cacheable<ProjectView>({
    key: 'project:{id}',
    scope: 'public',
    tags: (_ctx, project) => [cacheTags.project(project.id)],
  })
  @ApiOkResponse({ type: ProjectView })
  @ApiErrors(400, 401, 404)
  findOne(@Param('id', ParseIdPipe) id: string): Promise<ProjectView> {
    return this.projects.findOne(id);
  }

  @Get(':id/terms')
  @Cacheable({
    key: 'project:{id}:terms',
    scope: 'public',
    tags: (ctx) => [cacheTags.projectTerms(paramId(ctx.params))],
  })
  @ApiOkResponse({
    type: [TermView],
    description: 'The project’s terms, oldest first',
  })
  @ApiErrors(400, 401, 404)
  findTerms(@Param('id', ParseIdPipe) id: string): Promise<TermView[]> {
    return this.terms.findByProject(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: ProjectView })
  @ApiErrors(400, 401, 403, 404)
  update(
    @CurrentUser() caller: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateProjectDto,
  ): Promise<ProjectView> {
    return this.projects.update(caller.id, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted, with its terms' })
  @ApiErrors(400, 401, 403, 404)
  async remove(
    @CurrentUser() caller: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<void> {
    await this.projects.remove(caller.id, id);
  }
}
