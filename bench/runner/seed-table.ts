import {
  type DynamicModule,
  type INestApplicationContext,
  Module,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { cacheTags } from '../../apps/api/src/cache/cache-tags.js';
import { UncertainWrites } from '../../apps/api/src/cache/uncertain-writes.service.js';
import { loadConfiguration } from '../../apps/api/src/config/configuration.js';
import { databaseTimeoutsConfig } from '../../apps/api/src/config/database-timeouts.config.js';
import { AbandonedBackends } from '../../apps/api/src/database/abandoned-backends.js';
import { BoundedTransactions } from '../../apps/api/src/database/bounded-transactions.service.js';
import { createDataSourceOptions } from '../../apps/api/src/database/data-source-options.js';
import { Project } from '../../apps/api/src/projects/project.entity.js';
import { Term } from '../../apps/api/src/terms/term.entity.js';
import { TermsService } from '../../apps/api/src/terms/terms.service.js';
import { User } from '../../apps/api/src/users/user.entity.js';
import { UsersService } from '../../apps/api/src/users/users.service.js';
import type {
  SeedBackend,
  SeedTableCell,
  SeedTableResults,
  SeedTableRow,
} from '../report/results.js';
import { onCleanup } from '../support/cleanup.js';
import { backendTicks, backendTicksUsed } from '../support/postgres.js';
import { round } from '../support/stats.js';
import { timeConcurrent, timeSequential } from './call-timing.js';
import type { BenchDatabase } from './dataset.js';
import type { BenchOptions } from './options.js';

const APPLICATION_NAME = 'lexikon-bench-seed-table';

@Module({})
class SeedTableModule {}

/** The API's TypeORM setup and the two services, without any cache module (so no decorator applies). */
function servicesModule(databaseUrl: string): DynamicModule {
  return {
    module: SeedTableModule,
    imports: [
      TypeOrmModule.forRoot({
        ...createDataSourceOptions({ url: databaseUrl }),
        applicationName: APPLICATION_NAME,
        retryAttempts: 1,
      }),
      TypeOrmModule.forFeature([User, Project, Term]),
    ],
    providers: [
      UsersService,
      TermsService,
      // what the services need besides their repositories, with the API's
      // default timeouts; without a cache, UncertainWrites invalidates nothing
      UncertainWrites,
      AbandonedBackends,
      BoundedTransactions,
      {
        provide: databaseTimeoutsConfig.KEY,
        useValue: loadConfiguration({}).databaseTimeouts,
      },
    ],
  };
}

async function context(
  module: DynamicModule,
  name: string,
): Promise<{ app: INestApplicationContext; close(): Promise<void> }> {
  const app = await NestFactory.createApplicationContext(module, {
    logger: ['error', 'warn'],
    abortOnError: false,
  });
  const unregister = onCleanup(name, () => app.close());
  return {
    app,
    close: () => {
      unregister();
      return app.close();
    },
  };
}

/** The API's cache settings (its defaults: TTL 3600 s, command timeout 250 ms), without the interceptor. */
function cacheModule(options: LexikonCacheModuleOptions): DynamicModule {
  return LexikonCacheModule.forRoot({ interceptor: false, ...options });
}

interface Operation {
  readonly id: SeedTableRow['id'];
  readonly label: string;
  readonly service: string;
  readonly cacheKey: string;
  readonly tags: string;
  readonly claim: number;
  /** The service call for key `i`. */
  readonly load: (i: number) => Promise<unknown>;
  readonly key: (i: number) => string;
  readonly tagsOf: (i: number) => string[];
}

/**
 * The seed's table at the service level, in the runner (no HTTP): for
 * each operation, the API service's PostgreSQL query against a cache hit
 * of the same value through `CacheService.getOrSet`, on Redis and in
 * memory, under the key and tags the API gives the route. Every figure is
 * timed one call at a time (latency) and with `concurrency` calls in flight
 * (ops/s), over `keys` distinct keys, bounded in calls and in seconds.
 */
export async function measureSeedTable(
  db: BenchDatabase,
  redisUrl: string,
  options: BenchOptions,
  clockTicks: number,
  say: (line: string) => void,
): Promise<SeedTableResults> {
  const o = options.seedTable;
  const services = await context(servicesModule(db.url), 'seed-table services');
  const redisCache = await context(
    cacheModule({ redis: { url: redisUrl }, keyPrefix: 'bench:seed:' }),
    'seed-table Redis cache',
  );
  const memoryCache = await context(
    cacheModule({ store: 'memory' }),
    'seed-table memory cache',
  );
  const users = services.app.get(UsersService);
  const terms = services.app.get(TermsService);
  const caches: Record<Exclude<SeedBackend, 'postgres'>, CacheService> = {
    redis: redisCache.app.get(CacheService),
    memory: memoryCache.app.get(CacheService),
  };

  // the same keys for every row: users, and project owners with a word of their terms
  const userIds = (
    await db.dataSource.query<{ id: string }[]>(
      'SELECT id FROM users ORDER BY md5(id::text) LIMIT $1',
      [o.keys],
    )
  ).map((r) => r.id);
  const projects = await db.dataSource.query<
    { id: string; owner: string; word: string }[]
  >(
    `SELECT p.id, p.owner_id AS owner,
            lower(split_part((SELECT t.name FROM terms t WHERE t.project_id = p.id
                              ORDER BY t.created_at, t.id LIMIT 1), ' ', 2)) AS word
     FROM projects p ORDER BY md5(p.id::text) LIMIT $1`,
    [o.keys],
  );
  const at = <T>(xs: readonly T[], i: number) => xs[i % xs.length];

  const operations: Operation[] = [
    {
      id: 'get-user',
      label: 'get user',
      service: 'UsersService.findOne(id)',
      cacheKey: 'user:{id}',
      tags: 'user:{id}',
      claim: 7.5,
      load: (i) => users.findOne(at(userIds, i)),
      key: (i) => `user:${at(userIds, i)}`,
      tagsOf: (i) => [cacheTags.user(at(userIds, i))],
    },
    {
      id: 'term-search',
      label: 'term search',
      service: 'TermsService.search(userId, q)',
      cacheKey: 'term:search:{q}:{userId}',
      tags: 'search:{userId}',
      claim: 15,
      load: (i) => terms.search(at(projects, i).owner, at(projects, i).word),
      key: (i) =>
        `term:search:${at(projects, i).word}:${at(projects, i).owner}`,
      tagsOf: (i) => [cacheTags.search(at(projects, i).owner)],
    },
    {
      id: 'project-terms',
      label: 'project terms',
      service: 'TermsService.findByProject(projectId)',
      cacheKey: 'project:{id}:terms',
      tags: 'project:{id}',
      claim: 25,
      load: (i) => terms.findByProject(at(projects, i).id),
      key: (i) => `project:${at(projects, i).id}:terms`,
      tagsOf: (i) => [cacheTags.project(at(projects, i).id)],
    },
  ];

  const rows: SeedTableRow[] = [];
  for (const op of operations) {
    // value sizes, and every key primed in both caches (one miss each)
    let bytes = 0;
    let items = 0;
    for (let i = 0; i < o.keys; i++) {
      const value = await op.load(i);
      bytes += JSON.stringify(value).length;
      if (Array.isArray(value)) items += value.length;
    }
    const cells: SeedTableCell[] = [];
    const measure = async (backend: SeedBackend): Promise<SeedTableCell> => {
      let loads = 0;
      const call =
        backend === 'postgres'
          ? (i: number) => {
              loads++;
              return op.load(i);
            }
          : (i: number) =>
              caches[backend].getOrSet(
                op.key(i),
                () => {
                  loads++;
                  return op.load(i);
                },
                { tags: op.tagsOf(i) },
              );
      // warm-up: every key once (fills the cache), then a short run
      for (let i = 0; i < o.keys; i++) await call(i);
      for (let i = 0; i < Math.min(200, o.sequential); i++) await call(i);
      loads = 0;
      const ticks0 =
        backend === 'postgres'
          ? await backendTicks(db.dataSource, APPLICATION_NAME)
          : undefined;
      const sequential = await timeSequential(o.sequential, o.maxSec, call);
      const concurrent = await timeConcurrent(
        o.concurrent,
        o.concurrency,
        o.maxSec,
        call,
      );
      const cell: SeedTableCell = {
        backend,
        sequential,
        concurrent,
        loaderCallsTimed: loads,
      };
      if (backend !== 'postgres') return cell;
      const ticks1 = await backendTicks(db.dataSource, APPLICATION_NAME);
      const cpuSec = backendTicksUsed(ticks0, ticks1) / clockTicks;
      return {
        ...cell,
        dbCpuUsPerCall: round(
          (cpuSec * 1e6) / (sequential.calls + concurrent.calls),
          1,
        ),
      };
    };
    for (const backend of ['postgres', 'redis', 'memory'] as const)
      cells.push(await measure(backend));
    const cell = (b: SeedBackend) => cells.find((c) => c.backend === b);
    const pg = cell('postgres');
    const ratio = (b: SeedBackend, pick: 'latency' | 'ops') => {
      const c = cell(b);
      if (!pg || !c) return NaN;
      return round(
        pick === 'latency'
          ? pg.sequential.meanMs / c.sequential.meanMs
          : c.concurrent.opsPerSec / pg.concurrent.opsPerSec,
        1,
      );
    };
    const row: SeedTableRow = {
      id: op.id,
      label: op.label,
      service: op.service,
      cacheKey: op.cacheKey,
      tags: op.tags,
      claim: op.claim,
      valueBytes: round(bytes / o.keys, 0),
      items: items ? round(items / o.keys, 1) : undefined,
      cells,
      speedup: {
        redis: ratio('redis', 'latency'),
        memory: ratio('memory', 'latency'),
      },
      throughputSpeedup: {
        redis: ratio('redis', 'ops'),
        memory: ratio('memory', 'ops'),
      },
    };
    rows.push(row);
    say(
      `seed table: ${op.label.padEnd(13)} PostgreSQL ${pg?.sequential.meanMs.toFixed(3)} ms, Redis hit ${cell('redis')?.sequential.meanMs.toFixed(3)} ms (${row.speedup.redis}×), memory hit ${cell('memory')?.sequential.meanMs.toFixed(4)} ms (${row.speedup.memory}×); claim ${op.claim}×`,
    );
  }
  await Promise.all([
    services.close(),
    redisCache.close(),
    memoryCache.close(),
  ]);
  return { keys: o.keys, concurrency: o.concurrency, rows };
}
