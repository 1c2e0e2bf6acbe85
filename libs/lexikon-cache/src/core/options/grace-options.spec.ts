import { NO_GRACE, resolveGrace } from './grace-options.js';

const fail = (m: string) => new Error(m);

describe('resolveGrace: earlyRefresh', () => {
  it('is off unless asked for, and adds nothing to the settings then', () => {
    expect(resolveGrace(undefined, undefined, NO_GRACE, fail)).toBe(NO_GRACE);
    const grace = resolveGrace('1m', undefined, NO_GRACE, fail);
    expect('earlyRefreshBeta' in grace).toBe(false);
  });

  it('takes true as beta 1, an object for its beta, and inherits the module', () => {
    const on = (early: unknown, inherited = NO_GRACE) =>
      resolveGrace(
        undefined,
        undefined,
        inherited,
        fail,
        undefined,
        early as never,
      ).earlyRefreshBeta;
    expect(on(true)).toBe(1);
    expect(on({})).toBe(1);
    expect(on({ beta: 2.5 })).toBe(2.5);
    const module = resolveGrace(
      undefined,
      undefined,
      NO_GRACE,
      fail,
      undefined,
      {
        beta: 3,
      },
    );
    expect(on(undefined, module)).toBe(3);
    expect(on(false, module)).toBeUndefined();
    expect(on({ beta: 0.5 }, module)).toBe(0.5);
  });

  it.each([[{ beta: 0 }], [{ beta: -1 }], [{ beta: '2' }], [null], [1]])(
    'refuses %p, naming the option',
    (early) => {
      expect(() =>
        resolveGrace(
          undefined,
          undefined,
          NO_GRACE,
          fail,
          undefined,
          early as never,
        ),
      ).toThrow(/earlyRefresh/);
    },
  );
});
