/**
 * Bytes as a string of 7-bit characters, 8 bytes in 7 ⅞ characters: ioredis
 * sends strings as UTF-8 and decodes replies as UTF-8, so a byte above 0x7F
 * would cost two bytes in Redis (latin1) or be mangled (raw binary), while
 * 7-bit characters are one byte each way (base64 would cost a third more).
 */
export function packBytes(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = Buffer.allocUnsafe(Math.ceil((n * 8) / 7));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
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

/** The bytes `packBytes` made of them, read from `text` at `start`. */
export function unpackBytes(text: string, start = 0): Buffer {
  const out = Buffer.allocUnsafe(Math.floor(((text.length - start) * 7) / 8));
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = start; i < text.length; i++) {
    acc = (acc << 7) | (text.charCodeAt(i) & 127);
    bits += 7;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}
