import { randomBytes } from 'node:crypto';
import { packBytes, unpackBytes } from './seven-bit.js';

describe('packBytes / unpackBytes', () => {
  it('round-trips every length and byte value through 7-bit characters', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = randomBytes(n);
      const text = packBytes(bytes);
      expect(text.length).toBe(Math.ceil((n * 8) / 7));
      expect([...text].every((ch) => ch.charCodeAt(0) < 128)).toBe(true);
      expect(unpackBytes(text).equals(bytes)).toBe(true);
      expect(unpackBytes('xy' + text, 2).equals(bytes)).toBe(true);
    }
  });
});
