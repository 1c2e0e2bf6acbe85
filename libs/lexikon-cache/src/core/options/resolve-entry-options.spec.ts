import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import type { LexikonCacheModuleOptions } from './cache-options.js';
import { resolveOptions } from './resolve-options.js';

describe('entry options', () => {
  it('default to version 1', () => {
    const o = resolveOptions({});
    expect(o.version).toBe(1);
    expect([...o.versions]).toEqual([]);
  });

  it('take versions by namespace', () => {
    const o = resolveOptions({ version: 3, versions: { term: 2, user: 7 } });
    expect(o.version).toBe(3);
    expect([...o.versions]).toEqual([
      ['term', 2],
      ['user', 7],
    ]);
  });

  it.each<[LexikonCacheModuleOptions, RegExp]>([
    [{ version: 0 }, /^version must be a positive integer, got 0/],
    [{ version: 1.5 }, /^version must be a positive integer/],
    [{ version: '2' as unknown as number }, /^version .*"2"/],
    [{ versions: { term: 0 } }, /versions\.term must be a positive integer/],
    [{ versions: { 'a:b': 2 } }, /versions: "a:b" is not a key namespace/],
    [{ versions: [] as unknown as Record<string, number> }, /^versions must/],
  ])('refuse %j naming the option', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(CacheOptionsError);
    expect(() => resolveOptions(options)).toThrow(message);
  });
});
