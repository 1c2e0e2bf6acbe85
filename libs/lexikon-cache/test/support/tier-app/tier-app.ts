import 'reflect-metadata';
import {
  Controller,
  Get,
  Inject,
  Injectable,
  Module,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { CacheEngine } from '../../../src/core/engine/cache-engine.js';
import {
  Cacheable,
  CacheInvalidate,
  LexikonCacheModule,
  type Duration,
} from '../../../src/index.js';

/*
 * An application instance for multi-process tests of the in-process tier:
 * items cached with @Cacheable (their truth kept in Redis under `source`,
 * a prefix apart from the cache's), written through @CacheInvalidate.
 * Started as `node tier-app.js '<config json>'`; prints `READY <port>`.
 */
interface TierAppConfig {
  readonly cacheUrl: string;
  readonly sourceUrl: string;
  readonly keyPrefix: string;
  readonly source: string;
  readonly l1: { lease: Duration; maxLag: Duration } | false;
  /** The bus connection's Redis, when it differs from `cacheUrl` (a slow link). */
  readonly busUrl?: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as TierAppConfig;
const SOURCE = Symbol('source');

@Injectable()
class Items {
  loads = 0;

  constructor(@Inject(SOURCE) private readonly source: Redis) {}

  @Cacheable({ key: 'item:{id}', tags: ['item:{id}'] })
  async find(id: string, slowMs: number): Promise<{ id: string; v: number }> {
    this.loads++;
    const v = Number((await this.source.get(`${config.source}${id}`)) ?? 0);
    if (slowMs > 0) await new Promise((r) => setTimeout(r, slowMs));
    return { id, v };
  }

  @CacheInvalidate({ tags: ['item:{id}'] })
  async write(id: string, v: number): Promise<void> {
    await this.source.set(`${config.source}${id}`, String(v));
  }
}

@Controller()
class ItemsController {
  constructor(
    private readonly items: Items,
    private readonly engine: CacheEngine,
  ) {}

  @Get('items/:id')
  find(@Param('id') id: string, @Query('slow') slow?: string) {
    return this.items.find(id, Number(slow ?? 0));
  }

  @Post('items/:id/:v')
  async write(@Param('id') id: string, @Param('v') v: string) {
    await this.items.write(id, Number(v));
    return { ok: true };
  }

  @Get('loads')
  loads() {
    return { loads: this.items.loads };
  }

  @Get('tier')
  tier() {
    const tier = this.engine.tier;
    return {
      serving: tier?.serving ?? false,
      entries: tier?.l1.size.entries ?? 0,
    };
  }
}

@Module({
  imports: [
    LexikonCacheModule.forRoot({
      redis: { url: config.cacheUrl },
      keyPrefix: config.keyPrefix,
      ttlJitter: 0,
      interceptor: false,
      l1:
        config.l1 === false
          ? false
          : {
              ...config.l1,
              ...(config.busUrl && { bus: { url: config.busUrl } }),
            },
    }),
  ],
  controllers: [ItemsController],
  providers: [
    Items,
    {
      provide: SOURCE,
      useFactory: () => new Redis(config.sourceUrl),
    },
  ],
})
class TierAppModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(TierAppModule, new FastifyAdapter(), {
    logger: ['error'],
  });
  app.enableShutdownHooks();
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`READY ${address.port}\n`);
  process.stdin.on('end', () => void app.close().then(() => process.exit(0)));
  process.stdin.resume();
}

void main();
