/**
 * Bytes as a string of 7-bit characters, 8 bytes in 7 ⅞ characters: ioredis
 * sends strings as UTF-8 and decodes replies as UTF-8, so a byte above 0x7F
 * would cost two bytes in Redis (latin1) or be mangled (raw binary), while
 * 7-bit characters are one byte each way (base64 would cost a third more).
 */
export function packBytes(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = Buffer.allocUnsafe(Math.ceil((n * 8) / 7));
  // every 7 bytes are 8 whole characters
  const whole = n - (n % 7);
  let j = 0;
  for (let i = 0; i < whole; i += 7) {
    const b0 = bytes[i];
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const b3 = bytes[i + 3];
    const b4 = bytes[i + 4];
    const b5 = bytes[i + 5];
    const b6 = bytes[i + 6];
    out[j] = b0 >> 1;
    out[j + 1] = ((b0 & 1) << 6) | (b1 >> 2);
    out[j + 2] = ((b1 & 3) << 5) | (b2 >> 3);
    out[j + 3] = ((b2 & 7) << 4) | (b3 >> 4);
    out[j + 4] = ((b3 & 15) << 3) | (b4 >> 5);
    out[j + 5] = ((b4 & 31) << 2) | (b5 >> 6);
    out[j + 6] = ((b5 & 63) << 1) | (b6 >> 7);
    out[j + 7] = b6 & 127;
    j += 8;
  }
  let acc = 0;
  let bits = 0;
  for (let i = whole; i < n; i++) {
    acc = (acc << 8) | bytes[i];
    bits += 8;
    while (bits >= 7) {
      bits -= 7;
      out[j++] = (acc >> bits) & 127;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out[j++] = (acc << (7 - bits)) & 127;
  return out.toString('latin1', 0, j);
}

/**
 * The bytes `packBytes` made of them, read from `text` at `start`. Every 8
 * characters hold 7 whole bytes: those are read 8 at a time from one latin1
 * copy (a hit's hot loop: a gzipped HTTP body is read on every hit).
 */
export function unpackBytes(text: string, start = 0): Buffer {
  const src = Buffer.from(start ? text.slice(start) : text, 'latin1');
  const n = src.length;
  const out = Buffer.allocUnsafe(Math.floor((n * 7) / 8));
  const whole = n - (n % 8);
  let j = 0;
  for (let i = 0; i < whole; i += 8) {
    const c1 = src[i + 1] & 127;
    const c2 = src[i + 2] & 127;
    const c3 = src[i + 3] & 127;
    const c4 = src[i + 4] & 127;
    const c5 = src[i + 5] & 127;
    const c6 = src[i + 6] & 127;
    out[j] = ((src[i] & 127) << 1) | (c1 >> 6);
    out[j + 1] = ((c1 & 63) << 2) | (c2 >> 5);
    out[j + 2] = ((c2 & 31) << 3) | (c3 >> 4);
    out[j + 3] = ((c3 & 15) << 4) | (c4 >> 3);
    out[j + 4] = ((c4 & 7) << 5) | (c5 >> 2);
    out[j + 5] = ((c5 & 3) << 6) | (c6 >> 1);
    out[j + 6] = ((c6 & 1) << 7) | (src[i + 7] & 127);
    j += 7;
  }
  let acc = 0;
  let bits = 0;
  for (let i = whole; i < n; i++) {
    acc = (acc << 7) | (src[i] & 127);
    bits += 7;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}
