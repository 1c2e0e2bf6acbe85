import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import { redactUrl } from '../store/redis/redis-connection.js';
import { resolveOptions } from './resolve-options.js';

describe('resolveOptions', () => {
  it('defaults to the memory store without a connection, Redis with one', () => {
    expect(resolveOptions({}).store).toBe('memory');
    expect(
      resolveOptions({ redis: { url: 'redis://127.0.0.1:6379' } }).store,
    ).toBe('redis');
    const o = resolveOptions({ redis: { host: 'h' } });
    expect(o).toMatchObject({
      keyPrefix: 'lexikon:',
      defaultTtlMs: 3_600_000,
      commandTimeoutMs: 250,
      leaseTtlMs: 5_000,
      credentialHeaders: ['authorization', 'cookie', 'x-api-key'],
    });
    expect(
      resolveOptions({ defaultTtl: '10m', commandTimeout: '1.5s' }),
    ).toMatchObject({ defaultTtlMs: 600_000, commandTimeoutMs: 1_500 });
  });

  it.each([
    [{ defaultTtl: 0 }, /defaultTtl/],
    [{ defaultTtl: 1.5 }, /defaultTtl/],
    [{ defaultTtl: '10 minutes' as '10m' }, /defaultTtl/],
    [{ keyPrefix: '' }, /keyPrefix.*empty prefix/],
    [{ keyPrefix: 'x'.repeat(65) }, /keyPrefix/],
    [{ credentialHeaders: ['x api'] }, /credentialHeaders/],
    [{ commandTimeout: -1 }, /commandTimeout/],
    [{ keyPrefix: 'a*' }, /keyPrefix/],
    [{ ttlJitter: 1 }, /ttlJitter/],
    [{ store: 'disk' as 'memory' }, /store/],
    [{ redis: { url: 'http://x' } }, /redis\.url/],
    [{ l1: { failSafe: 'yes' as unknown as boolean } }, /l1\.failSafe/],
    [{ httpCompression: { level: 12 } }, /httpCompression\.level/],
  ])('refuses %j naming the option', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(CacheOptionsError);
    expect(() => resolveOptions(options)).toThrow(message);
  });

  it('keeps the in-process tier strict unless fail-safe copies are asked for', () => {
    expect(resolveOptions({ l1: true }).l1?.failSafe).toBe(false);
    expect(resolveOptions({ l1: { failSafe: true } }).l1?.failSafe).toBe(true);
  });

  it('redacts passwords from URLs', () => {
    expect(redactUrl('redis://user:pw@host:6379/0')).toBe(
      'redis://user:***@host:6379/0',
    );
    expect(redactUrl('rediss://:pw@host')).toBe('rediss://:***@host');
    expect(redactUrl('redis://host:6379')).toBe('redis://host:6379');
  });
});
