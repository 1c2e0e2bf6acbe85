import {
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
  Injectable,
  type Provider,
  type Type,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Redis } from 'ioredis';
import {
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { testRedisUrl } from '../../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../../test/support/unique-prefix.js';

export type AdapterKind = 'express' | 'fastify';

/** Puts `{ id }` from the `x-user` header on `request.user`, as an auth guard would. */
@Injectable()
export class HeaderUserGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, string>; user?: unknown }>();
    const id = req.headers['x-user'];
    if (id) req.user = { id };
    return true;
  }
}

export interface HttpFixture {
  readonly app: INestApplication;
  readonly prefix: string;
  readonly raw: Redis;
  close(): Promise<void>;
}

/**
 * A small Nest app on Express or Fastify with the cache on the test Redis,
 * under a prefix of its own unless `options.keyPrefix` names one (two apps
 * sharing a cache). `providers` belong to the root module
 * (`APP_INTERCEPTOR` ones included); `beforeInit` runs on the app before
 * `init()`, as a `main.ts` would.
 */
export async function createHttpFixture(
  adapter: AdapterKind,
  label: string,
  controllers: Type[],
  providers: Provider[] = [],
  options: LexikonCacheModuleOptions = {},
  beforeInit?: (app: INestApplication) => void,
  /** Feature modules, for enhancers a module other than the root registers. */
  imports: Type[] = [],
): Promise<HttpFixture> {
  const prefix = options.keyPrefix ?? uniquePrefix(label);
  const url = testRedisUrl();
  const moduleRef = await Test.createTestingModule({
    imports: [
      // ahead of the cache module, so their global enhancers are registered first
      ...imports,
      LexikonCacheModule.forRoot({
        redis: { url },
        ...options,
        keyPrefix: prefix,
      }),
    ],
    controllers,
    providers: [
      ...providers,
      { provide: APP_GUARD, useClass: HeaderUserGuard },
    ],
  }).compile();
  const app = moduleRef.createNestApplication(
    adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(),
    { logger: ['error'] },
  );
  beforeInit?.(app);
  await app.init();
  if (adapter === 'fastify') {
    await (
      app.getHttpAdapter().getInstance() as { ready(): Promise<void> }
    ).ready();
  }
  const raw = new Redis(url);
  return {
    app,
    prefix,
    raw,
    async close() {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
      await app.close();
    },
  };
}
