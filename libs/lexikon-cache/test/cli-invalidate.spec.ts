import { testRedisUrl } from '../../../test/support/services.js';
import { keyTag as cliKeyTag } from '../src/cli/commands/invalidate-plan.js';
import { keyTag } from '../src/declarative/plan-executor.js';
import {
  createCacheFixture,
  type CacheFixture,
} from './support/cache-fixture.js';
import { builtCli, jsonOf, runCli } from './support/cli-runner.js';

interface InvalidateJson {
  dryRun: boolean;
  deleted?: number;
  keys: { key: string; exists: boolean }[];
  tags: { tag: string; version: string | null }[];
  patterns: { pattern: string; matching: number }[];
}

describe('lexikon-cache invalidate', () => {
  let cli: string;
  let f: CacheFixture;

  const invalidate = (...args: string[]) =>
    runCli(cli, ['invalidate', '--json', '--prefix', f.prefix, ...args], {
      REDIS_URL: testRedisUrl(),
    });

  beforeAll(async () => {
    cli = await builtCli();
    f = await createCacheFixture('redis', 'cli-inv');
  }, 120_000);

  afterAll(async () => {
    await f?.close();
  });

  it('bumps the same ~key tag as CacheService.delete', () => {
    expect(cliKeyTag('term:1')).toBe(keyTag('term:1'));
  });

  it('--tag makes the library miss every entry stamped with it', async () => {
    await f.cache.set('a:1', 1, { tags: ['proj:1'] });
    await f.cache.set('a:2', 2, { tags: ['proj:1', 'other'] });
    await f.cache.set('a:3', 3, { tags: ['other'] });
    const r = await invalidate('--tag', 'proj:1');
    expect(r.code).toBe(0);
    expect(jsonOf<InvalidateJson>(r).tags).toEqual([
      expect.objectContaining({ tag: 'proj:1' }),
    ]);
    expect(await f.cache.mget(['a:1', 'a:2', 'a:3'])).toEqual([
      undefined,
      undefined,
      3,
    ]);
  });

  it('--key deletes the entry (an over-long one by its hashed name) and every principal copy', async () => {
    const long = `doc:${'y'.repeat(300)}`;
    await f.cache.set(long, 'v');
    await f.cache.set('b:1', 'v');
    // a principal's copy, as the HTTP interceptor stores one: under its own key, tagged ~key:<key>
    await f.cache.set('b:1:~u:42', 'mine', { tags: [keyTag('b:1')] });
    const r = await invalidate('--key', long, '--key', 'b:1');
    expect(r.code).toBe(0);
    expect(jsonOf<InvalidateJson>(r).deleted).toBe(2);
    expect(await f.cache.get(long)).toBeUndefined();
    expect(await f.cache.get('b:1')).toBeUndefined();
    expect(await f.cache.get('b:1:~u:42')).toBeUndefined();
    expect((await invalidate('--key', 'b:1')).code).toBe(1);
  });

  it('--key revokes a lease, so a load begun before it is not stored', async () => {
    let release!: (v: string) => void;
    const gate = new Promise<string>((r) => (release = r));
    const loading = f.cache.getOrSet('c:1', () => gate);
    for (let i = 0; i < 50 && !(await f.raw!.exists(`${f.prefix}c:1`)); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await invalidate('--key', 'c:1')).code).toBe(0);
    release('old');
    expect(await loading).toBe('old');
    expect(await f.cache.get('c:1')).toBeUndefined();
  });

  it('--dry-run says what it would reach and changes nothing', async () => {
    for (let i = 0; i < 5; i++) await f.cache.set(`d:${i}`, i, { tags: ['t'] });
    const tagKey = `${f.prefix}{tags}:t`;
    const version = await f.raw!.get(tagKey);
    const r = await invalidate(
      '--dry-run',
      '--pattern',
      'd:*',
      '--tag',
      't',
      '--key',
      'd:0',
      '--key',
      'd:none',
      '--confirm-over',
      '1',
    );
    expect(r.code).toBe(0);
    expect(jsonOf<InvalidateJson>(r)).toMatchObject({
      dryRun: true,
      keys: [
        { key: 'd:0', exists: true },
        { key: 'd:none', exists: false },
      ],
      tags: [{ tag: 't', version }],
      patterns: [{ pattern: 'd:*', matching: 5 }],
    });
    expect(await f.raw!.get(tagKey)).toBe(version);
    expect(await f.cache.mget([0, 1, 2, 3, 4].map((i) => `d:${i}`))).toEqual([
      0, 1, 2, 3, 4,
    ]);
  });

  it('refuses a pattern over --confirm-over without --yes when there is no terminal', async () => {
    await f.cache.mset(
      Array.from({ length: 12 }, (_, i) => [`bulk:${i}`, i] as const),
    );
    const refused = await invalidate(
      '--pattern',
      'bulk:*',
      '--confirm-over',
      '10',
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/matches 12 keys.*--yes/);
    expect(await f.cache.get('bulk:3')).toBe(3);

    const done = await invalidate(
      '--pattern',
      'bulk:*',
      '--confirm-over',
      '10',
      '--yes',
    );
    expect(done.code).toBe(0);
    expect(jsonOf<InvalidateJson>(done).deleted).toBe(12);
    expect(await f.cache.get('bulk:3')).toBeUndefined();
    expect((await invalidate('--pattern', 'bulk:*')).code).toBe(1);
  });

  it('rejects the reserved {tags} names as the library does', async () => {
    expect((await invalidate('--pattern', '{tags}:*', '--yes')).code).toBe(2);
  });
});
