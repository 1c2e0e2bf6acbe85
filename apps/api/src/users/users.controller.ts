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
import { Public } from '../auth/public.decorator.js';
import { ApiErrors } from '../common/docs/api-errors.decorator.js';
import { ParseIdPipe } from '../common/validation/parse-id.pipe.js';
import { cacheTags } from '../cache/cache-tags.js';
import { Cacheable } from '@lexikon/cache';
import { ApiKeyIssuedView } from './api-key-issued.view.js';
import { CreateUserDto } from './dto/create-user.dto.js';
import { UpdateUserDto } from './dto/update-user.dto.js';
import { UserView } from './user.view.js';
import { UsersService } from './users.service.js';

@ApiTags('users')
@ApiBearerAuth()
@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Public()
  @Post()
  @ApiCreatedResponse({
    type: ApiKeyIssuedView,
    description: 'The user and their API key (shown once)',
  })
  @ApiErrors(400, 409, 413)
  register(@Body() dto: CreateUserDto): Promise<ApiKeyIssuedView> {
    return this.users.register(dto);
  }

  @Get('me')
  @Cacheable({
    key: 'user:{user.id}',
    scope: 'public',
    tags: ['user:{user.id}'],
  })
  @ApiOkResponse({ type: UserView })
  @ApiErrors(401)
  me(@CurrentUser() caller: Principal): Promise<UserView> {
    return this.users.findOne(caller.id);
  }

  @Post('me/api-key')
  @HttpCode(HttpStatus.OK)
  @ApiOkResponse({
    type: ApiKeyIssuedView,
    description: 'A new API key; the previous one no longer works',
  })
  @ApiErrors(401)
  rotateApiKey(@CurrentUser() caller: Principal): Promise<ApiKeyIssuedView> {
    return this.users.rotateApiKey(caller.id);
  }

  @Get(':id')
  @Cacheable<UserView>({
    key: 'user:{id}',
    scope: 'public',
    tags: (_ctx, user) => [cacheTags.user(user.id)],
  })
  @ApiOkResponse({ type: UserView })
  @ApiErrors(400, 401, 404)
  findOne(@Param('id', ParseIdPipe) id: string): Promise<UserView> {
    return this.users.findOne(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: UserView })
  @ApiErrors(400, 401, 403, 404, 409)
  update(
    @CurrentUser() caller: Principal,
    @Param('id', ParseIdPipe) id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserView> {
    return this.users.update(caller.id, id, dto);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse({
    description: 'Deleted, with their projects and terms',
  })
  @ApiErrors(400, 401, 403, 404)
  async remove(
    @CurrentUser() caller: Principal,
    @Param('id', ParseIdPipe) id: string,
  ): Promise<void> {
    await this.users.remove(caller.id, id);
  }
}
