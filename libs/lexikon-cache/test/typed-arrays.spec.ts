import {
  createCacheFixture,
  type CacheFixture,
} from './support/cache-fixture.js';

/** Typed arrays survive Redis itself, not only the codec: bytes in, same elements out. */
describe('typed arrays through CacheService (real Redis)', () => {
  let f: CacheFixture;

  beforeAll(async () => {
    f = await createCacheFixture('redis', 'typed-arrays');
  });

  afterAll(async () => {
    await f.close();
  });

  it.each([
    ['Int32Array', new Int32Array([-(2 ** 31), 0, 2 ** 31 - 1])],
    ['Float32Array', new Float32Array([1.5, -0, Number.NaN, -Infinity])],
    ['BigUint64Array', new BigUint64Array([0n, 2n ** 64n - 1n])],
  ])('stores and reads back a %s', async (name, value) => {
    expect(await f.cache.set(`typed:${name}`, { value })).toBe(true);
    const back = await f.cache.get<{ value: unknown }>(`typed:${name}`);
    expect(Object.getPrototypeOf(back?.value)).toBe(
      Object.getPrototypeOf(value),
    );
    expect(back?.value).toEqual(value);
  });
});
