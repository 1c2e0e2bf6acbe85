import type { Redis } from 'ioredis';
import type { InvalidationResults, OpCost } from '../report/results.js';
import {
  commandCounts,
  diffCounts,
  totalCount,
} from '../support/redis-stats.js';
import { round, spread } from '../support/stats.js';
import { openCacheContext } from './cache-context.js';
import type { BenchOptions } from './options.js';
import type { CacheService } from '@lexikon/cache';

const CHUNK = 1000;
const REPEATS = 5;

async function cost(
  redis: Redis,
  op: () => Promise<unknown>,
): Promise<OpCost & { value: unknown }> {
  const before = await commandCounts(redis);
  const t0 = process.hrtime.bigint();
  const value = await op();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const breakdown = diffCounts(before, await commandCounts(redis));
  return {
    ms: round(ms, 3),
    commands: totalCount(breakdown),
    breakdown,
    value,
  };
}

async function repeated(
  redis: Redis,
  op: () => Promise<unknown>,
): Promise<OpCost> {
  const runs: OpCost[] = [];
  for (let i = 0; i < REPEATS; i++) runs.push(await cost(redis, op));
  const ms = spread(runs.map((r) => r.ms)).median;
  const last = runs[runs.length - 1];
  return { ms, commands: last.commands, breakdown: last.breakdown };
}

async function writeTagged(
  cache: CacheService,
  name: string,
  count: number,
  tag: string,
): Promise<void> {
  for (let i = 0; i < count; i += CHUNK) {
    const n = Math.min(CHUNK, count - i);
    const oks = await Promise.all(
      Array.from({ length: n }, (_, j) =>
        cache.set(`${name}:${i + j}`, { i: i + j, name }, { tags: [tag] }),
      ),
    );
    if (oks.some((ok) => !ok))
      throw new Error(`writing ${name} entries failed`);
  }
}

async function writeUntagged(
  cache: CacheService,
  name: string,
  count: number,
): Promise<void> {
  for (let i = 0; i < count; i += CHUNK) {
    const n = Math.min(CHUNK, count - i);
    const ok = await cache.mset(
      Array.from({ length: n }, (_, j): [string, unknown] => [
        `${name}:${i + j}`,
        { i: i + j },
      ]),
    );
    if (!ok) throw new Error(`writing ${name} entries failed`);
  }
}

/**
 * Tag invalidation vs deletePattern over the same entries: `tagged` entries
 * carry one tag and match one pattern, among `keyspace` keys in all. A small
 * tag shows whether the tag's cost depends on how many entries carry it.
 */
export async function measureInvalidation(
  redisUrl: string,
  redis: Redis,
  options: BenchOptions,
  say: (line: string) => void,
): Promise<InvalidationResults> {
  const { tagged, keyspace, small } = options.invalidation;
  await redis.flushall('SYNC');
  const ctx = await openCacheContext(redisUrl, 'bench:inv:');
  try {
    const { cache } = ctx;
    say(
      `invalidation: writing ${small} + ${tagged} tagged entries and ${keyspace - tagged - small} others`,
    );
    const t0 = Date.now();
    await writeTagged(cache, 'small', small, 'tag-small');
    await writeTagged(cache, 'tagged', tagged, 'tag-large');
    await writeUntagged(cache, 'other', keyspace - tagged - small);
    const writeSeconds = (Date.now() - t0) / 1000;
    const keys = await redis.dbsize();
    if (keys < keyspace)
      throw new Error(`expected ${keyspace} keys in Redis, found ${keys}`);

    const sample = Array.from({ length: 100 }, (_, i) =>
      Math.floor((i * tagged) / 100),
    );
    const hitsBefore = (
      await Promise.all(sample.map((i) => cache.get(`tagged:${i}`)))
    ).filter((v) => v !== undefined).length;
    if (hitsBefore !== sample.length)
      throw new Error(
        `only ${hitsBefore} of 100 tagged entries hit before invalidation`,
      );

    const tagSmall = await repeated(redis, () =>
      cache.invalidateTags(['tag-small']),
    );
    const tagLarge = await repeated(redis, () =>
      cache.invalidateTags(['tag-large']),
    );
    // the tagged entries now read as misses, the others are untouched
    const viaMget = (await cache.mget(sample.map((i) => `tagged:${i}`))).filter(
      (v) => v !== undefined,
    ).length;
    const viaGet = (
      await Promise.all(sample.map((i) => cache.get(`tagged:${i}`)))
    ).filter((v) => v !== undefined).length;
    const others = await cache.mget(sample.map((i) => `other:${i}`));
    if (viaMget + viaGet > 0)
      throw new Error(
        `tagged entries still hit after invalidateTags (get: ${viaGet}/100, mget: ${viaMget}/100)`,
      );
    if (others.some((v) => v === undefined))
      throw new Error(
        'invalidateTags removed entries that do not carry the tag',
      );

    const pattern = await cost(redis, () => cache.deletePattern('tagged:*'));
    const deleted = Number(pattern.value);
    if (deleted !== tagged)
      throw new Error(
        `deletePattern deleted ${deleted} keys, expected ${tagged}`,
      );
    return {
      keyspace,
      tagged,
      small,
      tagSmall,
      tagLarge,
      pattern: {
        ms: pattern.ms,
        commands: pattern.commands,
        breakdown: pattern.breakdown,
        deleted,
      },
      writeSeconds: round(writeSeconds, 1),
    };
  } finally {
    await ctx.close();
    await redis.flushall('SYNC');
  }
}
