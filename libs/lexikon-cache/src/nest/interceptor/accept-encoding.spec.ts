import { acceptsGzip } from './accept-encoding.js';

describe('acceptsGzip', () => {
  it.each([
    ['gzip', true],
    ['gzip, deflate, br, zstd', true],
    ['br;q=1.0, gzip;q=0.8, *;q=0.1', true],
    ['GZIP', true],
    ['x-gzip', true],
    ['*', true],
    ['deflate, *;q=0.5', true],
    [' gzip ; q = 0.001 ', true],
  ])('accepts gzip in %j', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it.each([
    ['', false],
    ['identity', false],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['gzip;q=0.0, *', false],
    ['*, gzip;q=0', false],
    ['*;q=0', false],
    ['gzipped', false],
  ])('refuses gzip in %j', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });

  it('reads a header that came as several lines, and none', () => {
    expect(acceptsGzip(['br', 'gzip'])).toBe(true);
    expect(acceptsGzip(['br', 'deflate'])).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
  });

  it('answers each header for itself when headers alternate', () => {
    for (let i = 0; i < 3; i++) {
      expect(acceptsGzip('gzip')).toBe(true);
      expect(acceptsGzip('br')).toBe(false);
    }
  });
});
