import { createHash } from 'node:crypto';

/**
 * The key space. Every key is `{prefix}{key}`; keys longer than
 * `MAX_KEY_BYTES` are hashed into names of exactly `HASHED_KEY_BYTES`, so a
 * hashed name can never equal a plain one, whatever the text.
 */
export const MAX_KEY_BYTES = 256;
export const HASHED_KEY_BYTES = MAX_KEY_BYTES + 1;
const DIGEST_CHARS = 64;
/** What a hashed name keeps of its key, literally, before the digest. */
export const KEPT_BYTES = HASHED_KEY_BYTES - DIGEST_CHARS - 1;
/** The least a hashed name keeps (its cut may fall short of KEPT_BYTES at a character boundary). */
export const MIN_KEPT_BYTES = KEPT_BYTES - 3;

// ASCII that must not come from input: glob characters, the separator, hash
// tags, our markers, whitespace and controls; and lone surrogates, which
// UTF-8 would collapse into U+FFFD
// oxlint-disable-next-line no-control-regex
const UNSAFE_IN_KEY_PART = /[%*?[\]\\:{}#!~\u0000-\u0020\u007f]|\p{Cs}/gu;
const HEX = '0123456789ABCDEF';

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  if (code < 0x80) return `%${HEX[code >> 4]}${HEX[code & 15]}`;
  return `%u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Escapes text interpolated into a key or tag. Every escape has a fixed
 * width (`%XX`, or `%uXXXX` for a lone surrogate) and `%` is escaped itself,
 * so distinct texts give distinct parts, and input can never act as a glob,
 * a separator, a cluster hash tag or one of our markers.
 */
export function escapeKeyPart(value: string): string {
  UNSAFE_IN_KEY_PART.lastIndex = 0;
  return UNSAFE_IN_KEY_PART.test(value)
    ? value.replace(UNSAFE_IN_KEY_PART, escapeChar)
    : value;
}

/** Bytes of `text` in UTF-8, counting a lone surrogate as Redis will (3). */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text);
}

/** The longest start of `text` within `maxBytes` of UTF-8, cut between characters. */
export function utf8Head(text: string, maxBytes: number): string {
  if (text.length <= maxBytes && utf8Bytes(text) === text.length) {
    return text.slice(0, maxBytes);
  }
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end);
}

/**
 * `full` itself when it fits, else its first bytes, `#` padding and the
 * sha256 of the whole: always `HASHED_KEY_BYTES` long.
 */
export function shortenKey(full: string): string {
  if (full.length * 3 <= MAX_KEY_BYTES || utf8Bytes(full) <= MAX_KEY_BYTES) {
    return full;
  }
  const kept = utf8Head(full, KEPT_BYTES);
  const pad = '#'.repeat(HASHED_KEY_BYTES - DIGEST_CHARS - utf8Bytes(kept));
  return kept + pad + createHash('sha256').update(full).digest('hex');
}

export function fullKey(prefix: string, key: string): string {
  return shortenKey(prefix + key);
}

/** Tag versions share one hash tag, so that in a cluster they live in one slot. */
export const TAG_SEGMENT = '{tags}:';

export function tagKeyPrefix(prefix: string): string {
  return prefix + TAG_SEGMENT;
}

export function fullTagKey(prefix: string, tag: string): string {
  return shortenKey(tagKeyPrefix(prefix) + tag);
}

/**
 * The key of the tag sequence: in the tags' slot, and unreachable by any
 * tag or entry key (those always go on after `{tags}` with a `:`).
 */
export function sequenceKey(prefix: string): string {
  return `${prefix}{tags}`;
}

/**
 * The in-process tier's coherence state (and, after it with a `:`, its
 * publish times and bus channels): like the sequence, out of reach of any
 * entry key, whose `{` is always escaped.
 */
export function tierStateKey(prefix: string): string {
  return `${prefix}{l1}`;
}

/**
 * The run ids of the Redis masters the cache was last cleared for (see
 * `RestartGuard`); under the tier's state, so `clear()` and patterns spare it.
 */
export function runMarkerKey(prefix: string): string {
  return `${tierStateKey(prefix)}:runs`;
}

/** Where an entry's preset dictionary is shared: `<prefix>{dict}:<namespace>:<id>`. */
export function dictionaryKey(prefix: string, ns: string, id: string): string {
  return `${prefix}{dict}:${ns}:${id}`;
}

/** Keys of the library's preset dictionaries, which `clear()` keeps. */
export function dictionaryKeyPrefix(prefix: string): string {
  return `${prefix}{dict}`;
}

/** Whether a caller's key would reach the tags' own names. */
export function isReservedKey(key: string): boolean {
  return key.startsWith('{tags}') || key.startsWith('{dict}');
}

/** The namespace of a key (text before its first `:`), for logs that must not print user data. */
export function keyNamespace(key: string): string {
  const colon = key.indexOf(':');
  return colon > 0 ? key.slice(0, colon) : key;
}
