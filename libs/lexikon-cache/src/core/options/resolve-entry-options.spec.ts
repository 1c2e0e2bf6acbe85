import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import type { LexikonCacheModuleOptions } from './cache-options.js';
import { DEFAULT_SENSITIVE_FIELDS } from './resolve-entry-options.js';
import { resolveOptions } from './resolve-options.js';

describe('entry options', () => {
  it('default to version 1, the default field list, warnings and a 60 s cap', () => {
    const o = resolveOptions({});
    expect(o.version).toBe(1);
    expect([...o.versions]).toEqual([]);
    expect(o.sensitiveGuard).toBe('warn');
    expect(o.sensitiveFields).toEqual([
      'password',
      'passwordHash',
      'secret',
      'token',
      'apiKey',
    ]);
    expect(o.sensitiveMaxTtlMs).toBe(60_000);
  });

  it('take versions by namespace, a guard mode, fields and a cap', () => {
    const o = resolveOptions({
      version: 3,
      versions: { term: 2, user: 7 },
      sensitiveGuard: 'strict',
      sensitiveFields: [...DEFAULT_SENSITIVE_FIELDS, 'ssn', /^pin$/i],
      sensitiveMaxTtl: '10s',
    });
    expect(o.version).toBe(3);
    expect([...o.versions]).toEqual([
      ['term', 2],
      ['user', 7],
    ]);
    expect(o.sensitiveGuard).toBe('strict');
    expect(o.sensitiveFields).toHaveLength(7);
    expect(o.sensitiveMaxTtlMs).toBe(10_000);
  });

  it.each<[LexikonCacheModuleOptions, RegExp]>([
    [{ version: 0 }, /^version must be a positive integer, got 0/],
    [{ version: 1.5 }, /^version must be a positive integer/],
    [{ version: '2' as unknown as number }, /^version .*"2"/],
    [{ versions: { term: 0 } }, /versions\.term must be a positive integer/],
    [{ versions: { 'a:b': 2 } }, /versions: "a:b" is not a key namespace/],
    [{ versions: [] as unknown as Record<string, number> }, /^versions must/],
    [{ sensitiveGuard: 'loud' as 'warn' }, /^sensitiveGuard must be/],
    [{ sensitiveFields: ['ok', ''] }, /^sensitiveFields must be/],
    [{ sensitiveFields: 'token' as unknown as string[] }, /^sensitiveFields/],
    [{ sensitiveMaxTtl: 0 }, /^sensitiveMaxTtl must be a positive duration/],
  ])('refuse %j naming the option', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(CacheOptionsError);
    expect(() => resolveOptions(options)).toThrow(message);
  });
});
