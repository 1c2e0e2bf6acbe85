import {
  type CallHandler,
  ClassSerializerInterceptor,
  Controller,
  type ExecutionContext,
  Get,
  type INestApplication,
  Injectable,
  Module,
  type NestInterceptor,
  Param,
  type Provider,
  type Type,
  UseInterceptors,
} from '@nestjs/common';
import { APP_INTERCEPTOR, Reflector } from '@nestjs/core';
import { Exclude } from 'class-transformer';
import { map, type Observable } from 'rxjs';
import request from 'supertest';
import { Cacheable } from '@lexikon/cache';
import {
  createHttpFixture,
  type AdapterKind,
  type HttpFixture,
} from './support/http-fixture.js';

const SECRET = 'bcrypt$not-for-your-eyes';

class UserEntity {
  id!: string;
  name!: string;
  @Exclude()
  passwordHash!: string;

  constructor(partial: Partial<UserEntity>) {
    Object.assign(this, partial);
  }
}

const runs = new Map<string, number>();

function userFor(route: string, id: string): UserEntity {
  runs.set(route, (runs.get(route) ?? 0) + 1);
  return new UserEntity({ id, name: `user ${id}`, passwordHash: SECRET });
}

/** What a response envelope interceptor does: `{ data }` around every result. */
@Injectable()
class EnvelopeInterceptor implements NestInterceptor {
  intercept(
    _context: ExecutionContext,
    next: CallHandler,
  ): Observable<unknown> {
    return next.handle().pipe(map((data: unknown) => ({ data })));
  }
}

@Controller('users')
class UsersController {
  @Get('cached/:id')
  @Cacheable({ key: 'user:{id}', scope: 'public' })
  cached(@Param('id') id: string) {
    return userFor('cached', id);
  }

  @Get('plain/:id')
  plain(@Param('id') id: string) {
    return userFor('plain', id);
  }
}

@Controller('users')
@UseInterceptors(EnvelopeInterceptor, ClassSerializerInterceptor)
class EnvelopedUsersController {
  @Get('cached/:id')
  @Cacheable({ key: 'user:{id}', scope: 'public' })
  cached(@Param('id') id: string) {
    return userFor('cached', id);
  }

  @Get('plain/:id')
  plain(@Param('id') id: string) {
    return userFor('plain', id);
  }
}

/** A feature module whose own APP_INTERCEPTOR is global all the same. */
@Module({
  controllers: [UsersController],
  providers: [
    { provide: APP_INTERCEPTOR, useClass: ClassSerializerInterceptor },
  ],
})
class UsersFeatureModule {}

interface Scenario {
  readonly name: string;
  /** The root module's controller, if the routes are not a feature module's. */
  readonly controller?: Type;
  readonly imports?: Type[];
  readonly providers: Provider[];
  readonly beforeInit?: (app: INestApplication) => void;
  /** Whether a serializer drops `passwordHash`. */
  readonly serialized: boolean;
  /** Whether results are wrapped in `{ data }`. */
  readonly enveloped: boolean;
}

const scenarios: Scenario[] = [
  {
    name: 'ClassSerializerInterceptor as APP_INTERCEPTOR of the root module',
    controller: UsersController,
    providers: [
      { provide: APP_INTERCEPTOR, useClass: ClassSerializerInterceptor },
    ],
    serialized: true,
    enveloped: false,
  },
  {
    name: 'ClassSerializerInterceptor as APP_INTERCEPTOR of a feature module',
    imports: [UsersFeatureModule],
    providers: [],
    serialized: true,
    enveloped: false,
  },
  {
    name: 'ClassSerializerInterceptor through app.useGlobalInterceptors',
    controller: UsersController,
    providers: [],
    beforeInit: (app) =>
      app.useGlobalInterceptors(
        new ClassSerializerInterceptor(app.get(Reflector)),
      ),
    serialized: true,
    enveloped: false,
  },
  {
    name: 'a global response-mapping interceptor',
    controller: UsersController,
    providers: [{ provide: APP_INTERCEPTOR, useClass: EnvelopeInterceptor }],
    serialized: false,
    enveloped: true,
  },
  {
    name: 'a mapping interceptor and the serializer on the controller',
    controller: EnvelopedUsersController,
    providers: [],
    serialized: true,
    enveloped: true,
  },
];

const setups: [AdapterKind, 'redis' | 'memory'][] = [
  ['express', 'redis'],
  ['fastify', 'redis'],
  ['express', 'memory'],
  ['fastify', 'memory'],
];

describe.each(setups)(
  'a cached route behind other interceptors on %s with the %s store',
  (adapter, store) => {
    describe.each(scenarios)('$name', (scenario) => {
      let f: HttpFixture;
      const http = () => request(f.app.getHttpServer());

      beforeAll(async () => {
        f = await createHttpFixture(
          adapter,
          `serializers-${adapter}-${store}`,
          scenario.controller ? [scenario.controller] : [],
          scenario.providers,
          {
            ...(store === 'memory' ? { store: 'memory' as const } : {}),
            // without a serializer the body shows the hash, which the
            // sensitive-data guard would keep out of the cache; the bytes are
            // what is checked here
            ...(scenario.serialized ? {} : { sensitiveGuard: 'off' as const }),
          },
          scenario.beforeInit,
          scenario.imports,
        );
      });

      afterAll(async () => {
        await f.close();
      });

      beforeEach(() => runs.clear());

      it('answers byte for byte what the uncached route answers, on MISS and on HIT', async () => {
        const plain = await http().get('/users/plain/7').expect(200);
        const miss = await http().get('/users/cached/7').expect(200);
        const hit = await http().get('/users/cached/7').expect(200);
        expect(miss.headers['x-cache']).toBe('MISS');
        expect(hit.headers['x-cache']).toBe('HIT');
        expect(runs.get('cached')).toBe(1);

        expect(miss.text).toBe(plain.text);
        expect(hit.text).toBe(plain.text);
        expect(miss.headers['content-type']).toBe(
          plain.headers['content-type'],
        );
        expect(hit.headers['content-type']).toBe(plain.headers['content-type']);

        const user: Record<string, unknown> = {
          id: '7',
          name: 'user 7',
        };
        if (!scenario.serialized) user.passwordHash = SECRET;
        expect(JSON.parse(plain.text)).toEqual(
          scenario.enveloped ? { data: user } : user,
        );
        if (scenario.serialized && store === 'redis') {
          const stored = await f.raw.get(`${f.prefix}user:7`);
          expect(stored).toContain('user 7');
          expect(stored).not.toContain(SECRET);
        }
      });
    });
  },
);
