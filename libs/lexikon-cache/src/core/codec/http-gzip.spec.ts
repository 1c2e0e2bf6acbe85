import { gunzipSync } from 'node:zlib';
import { CacheOptionsError } from '../errors/lexikon-cache.error.js';
import { resolveHttpCompression } from '../options/resolve-compression.js';
import {
  decodeHttpEntry,
  decodeStoredValue,
  encodeHttpEntry,
  toHttpEntry,
} from './http-entry.js';
import { gzipEtag } from './http-gzip.js';
import { CorruptEntryError } from './value-codec.js';

const settings = { threshold: 1024, level: 6 };
const page = {
  items: Array.from({ length: 100 }, (_, i) => ({ i, name: `item ${i}` })),
};

describe('gzipped HTTP entries', () => {
  it('gzips a JSON body from the threshold and reads it back', () => {
    const entry = toHttpEntry(page, settings)!;
    expect(entry.gzip).toBeDefined();
    expect(gunzipSync(entry.gzip!).toString()).toBe(JSON.stringify(page));
    const payload = encodeHttpEntry(entry);
    expect(payload.startsWith(`HJ${entry.etag}\n`)).toBe(true);
    // 7 bits per character: nothing above 0x7F, so one byte each in Redis
    expect(Buffer.byteLength(payload)).toBe(payload.length);
    expect(payload.length * 3).toBeLessThan(entry.body.length);
    const read = decodeHttpEntry(payload);
    expect(read.kind).toBe('json');
    expect(read.etag).toBe(entry.etag);
    expect(read.gzip!.equals(entry.gzip!)).toBe(true);
    expect(read.body).toBe(entry.body);
    expect(decodeStoredValue(payload)).toEqual(page);
  });

  it('keeps small bodies, text and null plain', () => {
    expect(toHttpEntry({ a: 1 }, settings)!.gzip).toBeUndefined();
    expect(toHttpEntry('x'.repeat(5000), settings)!.gzip).toBeUndefined();
    expect(toHttpEntry(null, settings)!.gzip).toBeUndefined();
    expect(toHttpEntry(page)!.gzip).toBeUndefined();
    // a body gzip cannot shrink below its length is kept as it is (random
    // CJK text: 3 UTF-8 bytes a character)
    const noise = String.fromCharCode(
      ...Array.from(
        { length: 2000 },
        (_, i) => 0x4e00 + ((((i + 1) * 2654435761) >>> 0) % 20000),
      ),
    );
    expect(
      toHttpEntry([noise], { threshold: 0, level: 1 })!.gzip,
    ).toBeUndefined();
  });

  it('drops a gzip entry that is not gzip, and fails reading a damaged one', () => {
    expect(() => decodeHttpEntry('HJ"e"\nabc')).toThrow(CorruptEntryError);
    const payload = encodeHttpEntry(toHttpEntry(page, settings)!);
    const damaged = payload.slice(0, 40) + 'xxxxxxxx' + payload.slice(48);
    expect(() => decodeHttpEntry(damaged).body).toThrow(CorruptEntryError);
  });

  it('names the gzip representation with a validator of its own', () => {
    expect(gzipEtag('"abc"')).toBe('"abc-gz"');
  });
});

describe('resolveHttpCompression', () => {
  it('is off unless asked, with defaults for true', () => {
    expect(resolveHttpCompression(undefined)).toBeUndefined();
    expect(resolveHttpCompression(false)).toBeUndefined();
    expect(resolveHttpCompression(true)).toEqual(settings);
    expect(resolveHttpCompression({ threshold: 0, level: 9 })).toEqual({
      threshold: 0,
      level: 9,
    });
  });

  it.each([
    [{ threshold: -1 }, /httpCompression.threshold/],
    [{ threshold: 1.5 }, /httpCompression.threshold/],
    [{ level: 0 }, /httpCompression.level/],
    [{ level: 10 }, /httpCompression.level/],
    ['yes', /httpCompression must be/],
  ])('refuses %j', (value, message) => {
    expect(() => resolveHttpCompression(value)).toThrow(CacheOptionsError);
    expect(() => resolveHttpCompression(value)).toThrow(message);
  });
});
