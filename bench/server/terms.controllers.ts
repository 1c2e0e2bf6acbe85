import {
  Controller,
  Get,
  Inject,
  Injectable,
  type OnApplicationShutdown,
  Param,
  UseInterceptors,
} from '@nestjs/common';
import { CacheInterceptor as NestCacheInterceptor } from '@nestjs/cache-manager';
import { Redis } from 'ioredis';
import { Cacheable } from '@lexikon/cache';
import type { BenchTerm } from '../data/terms.js';
import type { BenchCounters, BenchServerConfig } from './server-config.js';
import { BENCH_CONFIG, TermSource } from './term.source.js';

/*
 * One controller per variant, all with the same routes and the same handler
 * bodies; only the caching around them differs.
 */

@Controller('__bench')
export class BenchCountersController {
  constructor(private readonly source: TermSource) {}

  @Get('counters')
  counters(): BenchCounters {
    return {
      pid: process.pid,
      termLoads: this.source.termLoads,
      slowLoads: this.source.slowLoads,
    };
  }
}

/** Variant 1: no cache. */
@Controller()
export class BareTermsController {
  constructor(private readonly source: TermSource) {}

  @Get('terms/:id')
  term(@Param('id') id: string): BenchTerm {
    return this.source.find(id);
  }
}

/** Variants 3, 3l and 4: `@Cacheable` from @lexikon/cache (the module decides the store). */
@Controller()
export class LexikonTermsController {
  constructor(private readonly source: TermSource) {}

  @Get('terms/:id')
  @Cacheable({ key: 'term:{id}', scope: 'public' })
  term(@Param('id') id: string): BenchTerm {
    return this.source.find(id);
  }

  @Get('slow/:id')
  @Cacheable({ key: 'slow:{id}', scope: 'public' })
  slow(@Param('id') id: string): Promise<BenchTerm> {
    return this.source.slow(id);
  }
}

/** The gzip figure: a page of terms (~36 KB of JSON) on a `@Cacheable` route. */
@Controller()
export class LexikonPagesController {
  constructor(private readonly source: TermSource) {}

  @Get('pages/:n')
  @Cacheable({ key: 'page:{n}', scope: 'public' })
  page(@Param('n') n: string): BenchTerm[] {
    return this.source.page(Number(n));
  }
}

/** Variant 3t: variant 3 with two tags on the entry. */
@Controller()
export class LexikonTaggedTermsController {
  constructor(private readonly source: TermSource) {}

  @Get('terms/:id')
  @Cacheable({
    key: 'term:{id}',
    tags: ['terms', 'term:{id}'],
    scope: 'public',
  })
  term(@Param('id') id: string): BenchTerm {
    return this.source.find(id);
  }
}

/** Variant 5: @nestjs/cache-manager's interceptor (key: the request URL). */
@Controller()
@UseInterceptors(NestCacheInterceptor)
export class CacheManagerTermsController {
  constructor(private readonly source: TermSource) {}

  @Get('terms/:id')
  term(@Param('id') id: string): BenchTerm {
    return this.source.find(id);
  }

  @Get('slow/:id')
  slow(@Param('id') id: string): Promise<BenchTerm> {
    return this.source.slow(id);
  }
}

/** The ioredis connection of variant 6. */
@Injectable()
export class RawRedis implements OnApplicationShutdown {
  readonly client: Redis;
  readonly ttl: number;
  readonly prefix: string;

  constructor(@Inject(BENCH_CONFIG) config: BenchServerConfig) {
    this.client = new Redis(config.redisUrl);
    this.ttl = config.ttlSeconds;
    this.prefix = `bench:raw:${config.adapter}:`;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit();
  }
}

/** Variant 6: hand-written cache-aside, one GET + JSON.parse on a hit. */
@Controller()
export class RawGetTermsController {
  constructor(
    private readonly source: TermSource,
    private readonly redis: RawRedis,
  ) {}

  @Get('terms/:id')
  async term(@Param('id') id: string): Promise<unknown> {
    const key = `${this.redis.prefix}term:${id}`;
    const hit = await this.redis.client.get(key);
    if (hit !== null) return JSON.parse(hit) as unknown;
    const term = this.source.find(id);
    await this.redis.client.set(
      key,
      JSON.stringify(term),
      'EX',
      this.redis.ttl,
    );
    return term;
  }

  @Get('slow/:id')
  async slow(@Param('id') id: string): Promise<unknown> {
    const key = `${this.redis.prefix}slow:${id}`;
    const hit = await this.redis.client.get(key);
    if (hit !== null) return JSON.parse(hit) as unknown;
    const term = await this.source.slow(id);
    await this.redis.client.set(
      key,
      JSON.stringify(term),
      'EX',
      this.redis.ttl,
    );
    return term;
  }
}
