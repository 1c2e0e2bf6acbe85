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
import { cacheTags } from '../cache/cache-tags.js';
import { Cacheable } from '@lexikon/cache';
import { CreateTermDto } from './dto/create-term.dto.js';
import { SearchTermsQueryDto } from './dto/search-terms-query.dto.js';
import { UpdateTermDto } from './dto/update-term.dto.js';
import { TermView } from './term.view.js';
import { TermsService } from './terms.service.js';

@ApiTags('terms')
@ApiBearerAuth()
@Controller('terms')
export class TermsController {
  constructor(private readonly terms: TermsService) {}

  @Post()
  @ApiCreatedResponse({ type: TermView })
  @ApiErrors(400, 401, 403, 404, 413)
  create(
    @CurrentUser() caller: Principal,
    @Body() dto: CreateTermDto,
  ): Promise<TermView> {
    return this.terms.create(caller.id, dto);
  }

  /** Declared before `:id` so that `search` is never taken for an id. */
  @Get('search')
  @Cacheable({
    key: 'term:search:{q}:{user.id}',
    scope: 'public',
    tags: ['search:{user.id}'],
  })
  @ApiOkResponse({
    type: [TermView],
    description: 'The caller’s own matching terms, by name',
  })
  @ApiErrors(400, 401)
  search(
    @CurrentUser() caller: Principal,
    @Query() query: SearchTermsQueryDto,
  ): Promise<TermView[]> {
    return this.terms.search(caller.id, query.q);
  }

  @Get(':id')
  @Cacheable<TermView>({
    key: 'term:{id}',
    scope: 'public',
    tags: (_ctx, term) => [
      cacheTags.term(term.id),
      cacheTags.projectContent(term.projectId),
    ],
  })
  @ApiOkResponse({ type: TermView })
  @ApiErrors(400, 401, 404)
  findOne(@Param('id', ParseIdPipe) id: string): Promise<TermView> {
    return this.terms.findOne(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: TermView })
  @ApiErrors(400, 401, 403, 404)
  update(
    @CurrentUser() caller: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateTermDto,
  ): Promise<TermView> {
    return this.terms.update(caller.id, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors(400, 401, 403, 404)
  async remove(
    @CurrentUser() caller: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<void> {
    await this.terms.remove(caller.id, id);
  }
}
