import { containsPattern, escapeLike } from './like-pattern.js';

describe('escapeLike', () => {
  it('escapes the LIKE wildcards and the escape character', () => {
    expect(escapeLike('100%_a\\b')).toBe('100\\%\\_a\\\\b');
  });

  it('leaves other text alone', () => {
    expect(escapeLike("O'Brien [x] *")).toBe("O'Brien [x] *");
  });

  it('wraps the escaped text for a contains match', () => {
    expect(containsPattern('a%')).toBe('%a\\%%');
  });
});
