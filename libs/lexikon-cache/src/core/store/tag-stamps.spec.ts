import {
  latestPart,
  softened,
  stampState,
  STAMP_FRESH,
  STAMP_GONE,
  STAMP_SOFT,
} from './tag-stamps.js';

describe('tag stamps', () => {
  it('reads an entry stamped with the current versions as fresh', () => {
    expect(stampState(['e:1', 'e:2~e:3'], ['e:1', 'e:2~e:3'])).toBe(
      STAMP_FRESH,
    );
  });

  it('reads an entry outdated by soft bumps only as soft', () => {
    const once = softened('e:4', 'e:7');
    expect(once).toBe('e:4~e:7');
    expect(stampState(['e:4'], [once])).toBe(STAMP_SOFT);
    expect(stampState(['e:4~e:7'], [softened(once, 'e:9')])).toBe(STAMP_SOFT);
    expect(stampState(['e:1', 'e:4'], ['e:1', once])).toBe(STAMP_SOFT);
  });

  it('reads an entry behind a hard bump as gone, soft bumps after it too', () => {
    expect(stampState(['e:4'], ['e:5'])).toBe(STAMP_GONE);
    expect(stampState(['e:4~e:7'], ['e:8'])).toBe(STAMP_GONE);
    expect(stampState(['e:4'], [softened('e:8', 'e:9')])).toBe(STAMP_GONE);
    expect(stampState(['e:4'], [null])).toBe(STAMP_GONE);
    expect(stampState(['e:4', 'e:1'], [softened('e:4', 'e:9'), 'e:2'])).toBe(
      STAMP_GONE,
    );
  });

  it('compares a version with a lease by the number it was last given', () => {
    expect(latestPart('e:4')).toBe('e:4');
    expect(latestPart('e:4~e:9')).toBe('e:9');
  });
});
