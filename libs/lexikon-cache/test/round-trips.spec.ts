import { Test, type TestingModule } from '@nestjs/testing';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import { CommandLog } from '../../../test/support/command-log.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';

/**
 * What a read costs in Redis round trips: a hit is one command whatever
 * its tags (the tag versions are read inside the script), a miss two (the
 * read that takes the lease, the fill), and with the breaker open local
 * single flight still gives the source one load per key at a time.
 */
describe('round trips per read', () => {
  let redis: RedisServerProcess;
  let module: TestingModule;
  let cache: CacheService;
  let log: CommandLog;

  beforeAll(async () => {
    redis = await RedisServerProcess.start();
    log = await CommandLog.start(redis.url);
  });

  afterAll(async () => {
    log?.close();
    await stopAllRedisServers();
  });

  beforeEach(async () => {
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: redis.url },
          keyPrefix: 'rt:',
          interceptor: false,
          breakerThreshold: 1,
          breakerCooldown: '10s',
        }),
      ],
    }).compile();
    await module.init();
    cache = module.get(CacheService);
  });

  afterEach(async () => {
    if (redis.isPaused) redis.resume();
    await module.close();
  });

  it('sends one command for a hit, with or without tags', async () => {
    await cache.getOrSet('plain', () => 1);
    await cache.getOrSet('tagged', () => 2, { tags: ['a', 'b'] });
    // an untagged entry is read with a plain GET; a tagged one by the script
    const names = (sent: string[][]) => sent.map((c) => c[0]);
    expect(
      names(await log.during(() => cache.getOrSet('plain', () => -1))),
    ).toEqual(['get']);
    expect(
      names(
        await log.during(() =>
          cache.getOrSet('tagged', () => -1, { tags: ['a', 'b'] }),
        ),
      ),
    ).toEqual(['evalsha']);
    expect(await log.during(() => cache.get('plain'))).toHaveLength(1);
  });

  it('sends two commands for a miss: the leased read and the fill', async () => {
    const sent = await log.during(() =>
      cache.getOrSet('cold', () => 3, { tags: ['a'] }),
    );
    expect(sent).toHaveLength(2);
  });

  // a caller that came while a load ran shares the next one (the running
  // one may predate a write it must see): two loads per burst, never two at once
  it('loads each key once at a time while the breaker is open', async () => {
    redis.pause();
    // the first call times out and opens the breaker
    await cache.getOrSet('warm', () => 0);
    let running = 0;
    let most = 0;
    let loads = 0;
    const loader = async () => {
      loads++;
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 30));
      running--;
      return 'v';
    };
    for (let wave = 0; wave < 3; wave++) {
      const values = await Promise.all(
        Array.from({ length: 50 }, () => cache.getOrSet('hot', loader)),
      );
      expect(values.every((v) => v === 'v')).toBe(true);
    }
    expect(most).toBe(1);
    expect(loads).toBe(6);
  });
});
