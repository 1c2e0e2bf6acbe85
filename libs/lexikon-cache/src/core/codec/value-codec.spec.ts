import { UnencodableValueError } from '../errors/lexikon-cache.error.js';
import { decodeStoredValue } from './http-entry.js';
import { CorruptEntryError, decodeValue, encodeValue } from './value-codec.js';

describe('value codec', () => {
  it('stores plain JSON values as plain JSON', () => {
    const value = { a: 1, b: ['x', true, null], c: { d: 'e' } };
    expect(encodeValue(value)).toBe(JSON.stringify(value));
    expect(decodeValue(encodeValue(value))).toEqual(value);
  });

  it.each([
    ['Date', new Date('2020-01-02T03:04:05.006Z')],
    ['BigInt', -(2n ** 80n)],
    [
      'Map',
      new Map<unknown, unknown>([
        [1, 'a'],
        ['k', new Map([['n', 1]])],
      ]),
    ],
    ['Set', new Set([1, 'two', new Date(3)])],
    ['Buffer', Buffer.from('héllo')],
    ['Uint8Array', new Uint8Array([1, 2, 3])],
    ['Float64Array', new Float64Array([1.5, -0, Number.NaN])],
    ['Int16Array', new Int16Array([-2, 7])],
    ['BigInt64Array', new BigInt64Array([-(2n ** 60n)])],
    ['Uint8ClampedArray', new Uint8ClampedArray([255])],
    ['ArrayBuffer', new Uint8Array([9, 8, 7]).buffer],
    ['DataView', new DataView(new Uint8Array([1, 2]).buffer)],
    [
      'a typed array view on part of a buffer',
      new Uint16Array(new ArrayBuffer(8), 2, 2),
    ],
    ['RegExp', /a+b/gi],
    ['undefined', undefined],
    ['NaN', Number.NaN],
    ['-Infinity', -Infinity],
    [
      'nested',
      { when: [new Date(1)], tags: new Set(['x']), opt: undefined, n: null },
    ],
    ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ])('round-trips %s', (_name, value) => {
    const back = decodeValue(encodeValue(value));
    expect(back).toEqual(value);
    if (value !== null && typeof value === 'object') {
      expect(Object.getPrototypeOf(back)).toBe(Object.getPrototypeOf(value));
    }
  });

  // every typed array the README promises, at the edges of its element type
  it.each([
    ['Int8Array', new Int8Array([-128, -1, 0, 127])],
    ['Int32Array', new Int32Array([-(2 ** 31), -1, 0, 2 ** 31 - 1])],
    ['Uint32Array', new Uint32Array([0, 1, 2 ** 32 - 1])],
    [
      'Float32Array',
      new Float32Array([1.5, -0, Number.NaN, -Infinity, 3.4e38]),
    ],
    [
      'Float64Array',
      new Float64Array([Number.MIN_VALUE, -Number.MAX_VALUE, Infinity]),
    ],
    ['BigUint64Array', new BigUint64Array([0n, 2n ** 64n - 1n])],
  ])('round-trips a %s with its type and elements', (_name, value) => {
    const back = decodeValue(encodeValue({ value })) as { value: unknown };
    expect(Object.getPrototypeOf(back.value)).toBe(
      Object.getPrototypeOf(value),
    );
    expect(back.value).toEqual(value);
  });

  it('keeps -0 and the presence of undefined properties', () => {
    const back = decodeValue(encodeValue({ z: -0, u: undefined })) as {
      z: number;
      u: undefined;
    };
    expect(Object.is(back.z, -0)).toBe(true);
    expect('u' in back).toBe(true);
  });

  it('never lets user data pose as a marker, nor as a prototype', () => {
    const tricky = {
      $: 'd',
      v: 0,
      nested: { $: 'B', v: 'AAAA' },
      when: new Date(0),
    };
    expect(decodeValue(encodeValue(tricky))).toEqual(tricky);
    const proto = decodeValue(
      '~T{"__proto__":{"polluted":true},"d":{"$":"d","v":0}}',
    ) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('stores class instances as their own data, like JSON', () => {
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    expect(decodeValue(encodeValue(new Point(1, 2)))).toEqual({ x: 1, y: 2 });
  });

  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a nested function', { a: { b: [() => 2] } }],
    ['a function in a Map', new Map([['f', () => 3]])],
  ])('refuses %s with a typed error', (_name, value) => {
    expect(() => encodeValue(value)).toThrow(UnencodableValueError);
  });

  it('refuses circular structures and names where', () => {
    const a: Record<string, unknown> = { list: [] };
    (a.list as unknown[]).push(a);
    expect(() => encodeValue(a)).toThrow(/circular reference at \.list\[0\]/);
  });

  it('accepts shared (non-circular) references', () => {
    const shared = { x: 1 };
    expect(
      decodeValue(encodeValue({ a: shared, b: shared, when: new Date(0) })),
    ).toEqual({
      a: { x: 1 },
      b: { x: 1 },
      when: new Date(0),
    });
  });

  it.each([
    '',
    '{oops',
    '~T{"$":"zz"}',
    '~T{"$":"d","v":"not a number"}',
    '~T{"$":"A","t":"Function","v":""}',
    '~T{"$":"A","t":"Float64Array","v":"AAA="}',
  ])('reports %j as corrupt', (payload) => {
    expect(() => decodeValue(payload)).toThrow(CorruptEntryError);
  });

  it('reads counters and HTTP entries', () => {
    expect(decodeStoredValue('42')).toBe(42);
    expect(decodeStoredValue('Hj"etag"\n{"a":1}')).toEqual({ a: 1 });
    expect(decodeStoredValue('Ht"etag"\nplain')).toBe('plain');
    expect(decodeStoredValue('Hn"etag"\n')).toBeNull();
    expect(() => decodeStoredValue('H?x')).toThrow(CorruptEntryError);
  });
});
