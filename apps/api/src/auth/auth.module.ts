import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { UsersModule } from '../users/users.module.js';
import { ApiKeyGuard } from './api-key.guard.js';

/** Registers the API key guard for every route. */
@Module({
  imports: [UsersModule],
  providers: [{ provide: APP_GUARD, useClass: ApiKeyGuard }],
})
export class AuthModule {}
