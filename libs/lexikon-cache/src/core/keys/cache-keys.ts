import { createHash } from 'node:crypto';

/** Keys longer than this (in bytes, prefix included) are hashed. */
export const MAX_KEY_BYTES = 256;

// control characters are exactly what must be escaped here
// oxlint-disable-next-line no-control-regex
const UNSAFE_IN_KEY_PART = /[%*?[\]\\:{}\s\u0000-\u001f\u007f]/g;
const REDIS_GLOB_SPECIAL = /[*?[\]\\]/g;
const PATTERN_LITERAL = /[?[\]\\]/g;

function percentEncode(ch: string): string {
  const hex = ch.charCodeAt(0).toString(16).toUpperCase();
  return hex.length === 1 ? `%0${hex}` : `%${hex}`;
}

/**
 * Escapes a value interpolated into a key or tag, so that input can never act
 * as a glob (`* ? [ ]`), a separator (`:`), a cluster hash tag (`{ }`) or a
 * control character, and so reach another entry.
 */
export function escapeKeyPart(value: string): string {
  UNSAFE_IN_KEY_PART.lastIndex = 0;
  return UNSAFE_IN_KEY_PART.test(value)
    ? value.replace(UNSAFE_IN_KEY_PART, percentEncode)
    : value;
}

/** Escapes every glob character, for a literal part of a SCAN MATCH pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(REDIS_GLOB_SPECIAL, (ch) => `\\${ch}`);
}

/**
 * Turns a caller's pattern into a SCAN MATCH pattern inside `prefix`. Only `*`
 * is a wildcard; `?`, `[`, `]` and `\` match themselves.
 */
export function patternToGlob(prefix: string, pattern: string): string {
  return (
    escapeGlob(prefix) + pattern.replace(PATTERN_LITERAL, (ch) => `\\${ch}`)
  );
}

/** Over-long keys keep their readable namespace and hash the rest. */
function shorten(full: string, prefixLength: number): string {
  if (
    full.length * 3 <= MAX_KEY_BYTES ||
    Buffer.byteLength(full) <= MAX_KEY_BYTES
  ) {
    return full;
  }
  const rest = full.slice(prefixLength);
  const colon = rest.indexOf(':');
  const namespace = colon > 0 && colon <= 64 ? rest.slice(0, colon) : '';
  const digest = createHash('sha256').update(rest).digest('hex');
  return `${full.slice(0, prefixLength)}${namespace}:#${digest}`;
}

export function fullKey(prefix: string, key: string): string {
  return shorten(prefix + key, prefix.length);
}

/** Tag versions share one hash tag so that, in a cluster, they live in one slot. */
export const TAG_SEGMENT = '{tags}:';

export function tagKeyPrefix(prefix: string): string {
  return prefix + TAG_SEGMENT;
}

export function fullTagKey(prefix: string, tag: string): string {
  return shorten(tagKeyPrefix(prefix) + tag, tagKeyPrefix(prefix).length);
}

/** The namespace of a key (text before its first `:`), for logs that must not print user data. */
export function keyNamespace(key: string): string {
  const colon = key.indexOf(':');
  return colon > 0 ? key.slice(0, colon) : key;
}
