import { randomBytes } from 'node:crypto';
import { packBytes, unpackBytes } from './seven-bit.js';

describe('packBytes / unpackBytes', () => {
  it('round-trips every length and byte value through 7-bit characters', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = randomBytes(n);
      const text = packBytes(bytes);
      expect(text.length).toBe(Math.ceil((n * 8) / 7));
      // ASCII only: one UTF-8 byte per character
      expect(Buffer.byteLength(text)).toBe(text.length);
      expect(unpackBytes(text).equals(bytes)).toBe(true);
      expect(unpackBytes('xy' + text, 2).equals(bytes)).toBe(true);
    }
  });
});
