import { CacheService } from '@lexikon/cache';
import { TermsService } from '../../apps/api/src/terms/terms.service.js';
import { UsersService } from '../../apps/api/src/users/users.service.js';
import type {
  SeedBackend,
  SeedCacheBackend,
  SeedTableCell,
  SeedTableResults,
  SeedTableRow,
} from '../report/results.js';
import { backendTicks, backendTicksUsed } from '../support/postgres.js';
import { round } from '../support/stats.js';
import { timeConcurrent, timeSequential } from './call-timing.js';
import type { BenchDatabase } from './dataset.js';
import type { BenchOptions } from './options.js';
import {
  APPLICATION_NAME,
  cacheModule,
  context,
  servicesModule,
} from './seed-table/contexts.js';
import { seedOperations } from './seed-table/operations.js';

/**
 * The seed's table at the service level, in the runner (no HTTP): for
 * each operation, the API service's PostgreSQL query against a cache hit
 * of the same value through `CacheService.getOrSet`, on Redis, on Redis
 * with the in-process tier in front (the API's `l1` setting: a hit is read
 * from process memory) and in memory, under the key and tags the API gives
 * the route. Every figure is timed one call at a time (latency) and with
 * `concurrency` calls in flight (ops/s), over `keys` distinct keys,
 * bounded in calls and in seconds.
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
  const l1Cache = await context(
    cacheModule({
      redis: { url: redisUrl },
      keyPrefix: 'bench:seed-l1:',
      // what the API sets (CACHE_L1_MAX_ENTRIES' default); the tier's own defaults otherwise
      l1: { maxEntries: 10_000 },
    }),
    'seed-table Redis + L1 cache',
  );
  const memoryCache = await context(
    cacheModule({ store: 'memory' }),
    'seed-table memory cache',
  );
  const users = services.app.get(UsersService);
  const terms = services.app.get(TermsService);
  const caches: Record<SeedCacheBackend, CacheService> = {
    redis: redisCache.app.get(CacheService),
    l1: l1Cache.app.get(CacheService),
    memory: memoryCache.app.get(CacheService),
  };

  const operations = await seedOperations(db, o.keys, users, terms);

  const rows: SeedTableRow[] = [];
  for (const op of operations) {
    // value sizes; each cache fills with every key (one miss each) before its timed loops
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
    for (const backend of ['postgres', 'redis', 'l1', 'memory'] as const)
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
        l1: ratio('l1', 'latency'),
        memory: ratio('memory', 'latency'),
      },
      throughputSpeedup: {
        redis: ratio('redis', 'ops'),
        l1: ratio('l1', 'ops'),
        memory: ratio('memory', 'ops'),
      },
    };
    rows.push(row);
    say(
      `seed table: ${op.label.padEnd(13)} PostgreSQL ${pg?.sequential.meanMs.toFixed(3)} ms, Redis hit ${cell('redis')?.sequential.meanMs.toFixed(3)} ms (${row.speedup.redis}×), Redis + L1 hit ${cell('l1')?.sequential.meanMs.toFixed(4)} ms (${row.speedup.l1}×), memory hit ${cell('memory')?.sequential.meanMs.toFixed(4)} ms (${row.speedup.memory}×); claim ${op.claim}×`,
    );
  }
  await Promise.all([
    services.close(),
    redisCache.close(),
    l1Cache.close(),
    memoryCache.close(),
  ]);
  return { keys: o.keys, concurrency: o.concurrency, rows };
}
