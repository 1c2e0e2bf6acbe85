import { fullKey } from '../src/core/keys/cache-keys.js';
import {
  createCacheFixture,
  type CacheFixture,
} from './support/cache-fixture.js';

/**
 * Keys too long for Redis are stored under a hashed name; a pattern must
 * still reach them (the second glob of `patternToGlobs`), or a write that
 * invalidates a namespace would leave its long keys served.
 */
describe('deletePattern on over-long (hashed) keys (real Redis)', () => {
  let f: CacheFixture;

  beforeEach(async () => {
    f = await createCacheFixture('redis', 'hashed-pattern');
  });

  afterEach(async () => {
    await f.close();
  });

  it('deletes a hashed key the pattern matches, so it is no longer served', async () => {
    const long = `terms:page:${'q'.repeat(400)}`;
    const other = `terms:other:${'q'.repeat(400)}`;
    const stored = fullKey(f.prefix, long);
    expect(stored).not.toBe(f.prefix + long);
    await f.cache.set(long, { page: 1 });
    await f.cache.set(other, { page: 2 });
    await f.cache.set('terms:page:2', { page: 3 });
    expect(await f.raw?.exists(stored)).toBe(1);
    expect(await f.cache.get(long)).toEqual({ page: 1 });

    expect(await f.cache.deletePattern('terms:page:*')).toBe(2);

    expect(await f.raw?.exists(stored)).toBe(0);
    expect(await f.cache.get(long)).toBeUndefined();
    expect(await f.cache.get('terms:page:2')).toBeUndefined();
    expect(await f.cache.get(other)).toEqual({ page: 2 });
  });

  it('reaches a hashed key whose matching tail was cut off by the hashing', async () => {
    const long = `terms:page:${'q'.repeat(400)}:draft`;
    const stored = fullKey(f.prefix, long);
    expect(stored).not.toContain(':draft');
    await f.cache.set(long, { draft: true });
    await f.cache.set(`terms:page:${'q'.repeat(400)}:final`, { draft: false });

    // a superset reaches every hashed key under terms:page: (only extra misses)
    expect(
      await f.cache.deletePattern('terms:page:*:draft'),
    ).toBeGreaterThanOrEqual(1);

    expect(await f.raw?.exists(stored)).toBe(0);
    expect(await f.cache.get(long)).toBeUndefined();
  });
});
