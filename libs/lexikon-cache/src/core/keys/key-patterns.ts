import { MIN_KEPT_BYTES, utf8Bytes, utf8Head } from './cache-keys.js';

const REDIS_GLOB_SPECIAL = /[*?[\]\\]/g;
const HEX_DIGEST_GLOB = '[0-9a-f]'.repeat(64);

/** Escapes every glob character, for a literal part of a SCAN MATCH pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(REDIS_GLOB_SPECIAL, (ch) => `\\${ch}`);
}

/**
 * The SCAN MATCH globs that together reach every key under `prefix` matching
 * `pattern`, where `*` is the only wildcard (`?`, `[`, `]`, `\` match
 * themselves). The first glob matches plain keys exactly. Hashed keys keep
 * only their first bytes, so when the pattern could match one past what it
 * keeps, a second glob reaches every hashed key whose kept text is
 * compatible with the pattern's literal start: a superset, which only costs
 * extra misses.
 */
export function patternToGlobs(prefix: string, pattern: string): string[] {
  const parts = (prefix + pattern).split('*');
  const exact = parts.map(escapeGlob).join('*');
  const literal = parts[0];
  const trailingStarOnly = parts.length === 2 && parts[1] === '';
  if (trailingStarOnly && utf8Bytes(literal) <= MIN_KEPT_BYTES) return [exact];
  const head = utf8Head(literal, MIN_KEPT_BYTES);
  return [exact, `${escapeGlob(head)}*#${HEX_DIGEST_GLOB}`];
}
