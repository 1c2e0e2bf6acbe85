import type { Redis } from 'ioredis';
import {
  trainDictionary,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { makeTerm } from '../data/terms.js';
import type { MemoryResults, MemoryRow } from '../report/results.js';
import { infoField } from '../support/redis-stats.js';
import { round, sleep } from '../support/stats.js';
import { openCacheContext } from './cache-context.js';
import type { BenchOptions } from './options.js';

const CHUNK = 1000;
const TTL_SECONDS = 3600;

async function usedMemory(redis: Redis): Promise<number> {
  await sleep(200);
  return infoField(redis, 'memory', 'used_memory');
}

async function meanValueBytes(redis: Redis, count: number): Promise<number> {
  const step = Math.max(1, Math.floor(count / 1000));
  let sum = 0;
  let n = 0;
  for (let i = 0; i < count; i += step) {
    sum += await redis.strlen(`bench:mem:term:${i}`);
    n++;
  }
  return sum / n;
}

async function measureRow(
  redis: Redis,
  name: string,
  description: string,
  entries: number,
  write: () => Promise<void>,
): Promise<MemoryRow> {
  await redis.flushall('SYNC');
  const before = await usedMemory(redis);
  const t0 = Date.now();
  await write();
  const writeSeconds = (Date.now() - t0) / 1000;
  // a shared compression dictionary is one key more
  const keys =
    (await redis.dbsize()) - (await redis.keys('bench:{dict}*')).length;
  if (keys !== entries)
    throw new Error(`${name}: expected ${entries} keys, found ${keys}`);
  const delta = (await usedMemory(redis)) - before;
  const valueBytes = await meanValueBytes(redis, entries);
  await redis.flushall('SYNC');
  return {
    name,
    description,
    entries,
    usedMemoryDelta: delta,
    mbPerMillion: round(((delta / entries) * 1e6) / 1e6, 1),
    bytesPerEntry: round(delta / entries, 1),
    valueBytes: round(valueBytes, 1),
    writeSeconds: round(writeSeconds, 1),
  };
}

/**
 * Redis used_memory for `entries` term records (~500 B of JSON each), all
 * under keys of the same length and with the same TTL: as plain JSON
 * strings (SET), and written through CacheService.mset, once as the entity
 * (Dates, as TypeORM returns it) and once as its JSON form (ISO strings).
 */
export async function measureMemory(
  redisUrl: string,
  redis: Redis,
  options: BenchOptions,
  say: (line: string) => void,
): Promise<MemoryResults> {
  const entries = options.memory.entries;
  const ctx = await openCacheContext(redisUrl, 'bench:');
  try {
    const rows: MemoryRow[] = [];
    say(`memory: ${entries} plain JSON strings`);
    rows.push(
      await measureRow(
        redis,
        'plain JSON (SET)',
        'JSON.stringify(term) with SET … PX, no library',
        entries,
        async () => {
          for (let i = 0; i < entries; i += CHUNK) {
            const p = redis.pipeline();
            for (let j = i; j < Math.min(entries, i + CHUNK); j++)
              p.set(
                `bench:mem:term:${j}`,
                JSON.stringify(makeTerm(j)),
                'PX',
                TTL_SECONDS * 1000,
              );
            const results = (await p.exec()) ?? [];
            if (results.some(([err]) => err)) throw new Error('SET failed');
          }
        },
      ),
    );
    const viaService = async (toValue: (i: number) => unknown) => {
      for (let i = 0; i < entries; i += CHUNK) {
        const batch: [string, unknown][] = [];
        for (let j = i; j < Math.min(entries, i + CHUNK); j++)
          batch.push([`mem:term:${j}`, toValue(j)]);
        if (!(await ctx.cache.mset(batch, { ttl: `${TTL_SECONDS}s` })))
          throw new Error('CacheService.mset failed');
      }
    };
    say(`memory: ${entries} entities through CacheService`);
    rows.push(
      await measureRow(
        redis,
        'CacheService, entity',
        'the term object with Date fields (as TypeORM returns it): type-preserving encoding',
        entries,
        () => viaService((i) => makeTerm(i)),
      ),
    );
    say(`memory: ${entries} JSON values through CacheService`);
    rows.push(
      await measureRow(
        redis,
        'CacheService, JSON value',
        'the same term as plain JSON data (ISO date strings)',
        entries,
        () =>
          viaService((i) => JSON.parse(JSON.stringify(makeTerm(i))) as unknown),
      ),
    );
    const jsonTerm = (i: number) =>
      JSON.parse(JSON.stringify(makeTerm(i))) as unknown;
    // the samples are terms the rows never write
    const dictionary = trainDictionary(
      Array.from({ length: 200 }, (_, i) => jsonTerm(entries + i)),
    );
    const compressed: [
      string,
      string,
      LexikonCacheModuleOptions['compression'],
    ][] = [
      [
        'deflate-raw',
        'compression on for every size (threshold 0)',
        { threshold: 0 },
      ],
      [
        'deflate-raw + dictionary',
        `threshold 0, a ${Math.round(dictionary.length / 1024)} KiB dictionary trained from 200 other terms`,
        { threshold: 0, dictionaries: { mem: dictionary } },
      ],
    ];
    for (const [label, description, compression] of compressed) {
      const zctx = await openCacheContext(redisUrl, 'bench:', { compression });
      try {
        say(`memory: ${entries} JSON values through CacheService, ${label}`);
        rows.push(
          await measureRow(
            redis,
            `CacheService, JSON value, ${label}`,
            description,
            entries,
            async () => {
              for (let i = 0; i < entries; i += CHUNK) {
                const batch: [string, unknown][] = [];
                for (let j = i; j < Math.min(entries, i + CHUNK); j++)
                  batch.push([`mem:term:${j}`, jsonTerm(j)]);
                if (!(await zctx.cache.mset(batch, { ttl: `${TTL_SECONDS}s` })))
                  throw new Error('CacheService.mset failed');
              }
            },
          ),
        );
      } finally {
        await zctx.close();
      }
    }
    return { entries, rows };
  } finally {
    await ctx.close();
  }
}
