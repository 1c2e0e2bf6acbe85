import { decodeValue, encodeValue } from '../core/codec/value-codec.js';
import { toDisplay } from './display-value.js';

describe('toDisplay', () => {
  it('keeps plain JSON as it is', () => {
    const v = { a: [1, 'two', null, true], b: { c: 1.5 } };
    expect(toDisplay(v)).toEqual(v);
  });

  it('names every type the codec keeps beyond JSON, after a round trip through it', () => {
    const value = {
      when: new Date('2024-05-01T10:00:00Z'),
      n: 12n,
      m: new Map<unknown, unknown>([[1, new Set(['x'])]]),
      buf: Buffer.from('hi'),
      f64: new Float64Array([1.5, 2]),
      big64: new BigInt64Array([3n]),
      re: /a+/gi,
      u: undefined,
      nan: Number.NaN,
      negZero: -0,
      inf: Number.NEGATIVE_INFINITY,
    };
    expect(toDisplay(decodeValue(encodeValue(value)))).toEqual({
      when: { $Date: '2024-05-01T10:00:00.000Z' },
      n: { $BigInt: '12' },
      m: { $Map: [[1, { $Set: ['x'] }]] },
      buf: { $Buffer: 'aGk=' },
      f64: { $Float64Array: [1.5, 2] },
      big64: { $BigInt64Array: ['3'] },
      re: { $RegExp: '/a+/gi' },
      u: { $undefined: true },
      nan: { $number: 'NaN' },
      negZero: { $number: '-0' },
      inf: { $number: '-Infinity' },
    });
  });

  it('shows holes of sparse arrays', () => {
    // oxlint-disable-next-line no-sparse-arrays
    expect(toDisplay([1, , 3])).toEqual([1, { $hole: true }, 3]);
  });
});
