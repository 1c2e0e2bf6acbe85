import { mergeVary } from './http-reply.js';

describe('mergeVary', () => {
  it.each([
    ['Origin', 'Accept-Encoding', 'Origin, Accept-Encoding'],
    ['Origin', 'Authorization, Cookie', 'Origin, Authorization, Cookie'],
    ['origin, accept-encoding', 'Accept-Encoding', 'origin, accept-encoding'],
    ['Origin', 'Origin, Accept-Encoding', 'Origin, Accept-Encoding'],
    ['*', 'Accept-Encoding', '*'],
  ])('adds to %j what %j lacks', (current, more, expected) => {
    expect(mergeVary(current, more)).toBe(expected);
  });
});
