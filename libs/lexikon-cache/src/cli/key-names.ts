import {
  HASHED_KEY_BYTES,
  keyNamespace,
  sequenceKey,
  TAG_SEGMENT,
  utf8Bytes,
} from '../core/keys/cache-keys.js';

/** The group of tag versions (and their sequence) in `stats`. */
export const TAGS_GROUP = '{tags}';

/** The group of hashed keys whose kept start has no namespace. */
export const HASHED_GROUP = '(hashed)';

const DIGEST_TAIL = /#[0-9a-f]{64}$/;

/** Whether a full key is a hashed name (an over-long key, kept in part plus its digest). */
export function isHashed(full: string): boolean {
  return utf8Bytes(full) === HASHED_KEY_BYTES && DIGEST_TAIL.test(full);
}

/** A full key read back: the caller's key (what it keeps of it, when hashed) and its group. */
export interface KeyName {
  readonly fullKey: string;
  /** The key without the prefix; for a hashed key, its kept start and digest. */
  readonly key: string;
  readonly hashed: boolean;
  /** The namespace (first segment after the prefix), or `{tags}` for tag versions. */
  readonly group: string;
  /** For a tag version: the tag (its kept start, when hashed). */
  readonly tag?: string;
}

export function nameOf(prefix: string, fullKey: string): KeyName {
  const key = fullKey.startsWith(prefix)
    ? fullKey.slice(prefix.length)
    : fullKey;
  const hashed = isHashed(fullKey);
  if (fullKey === sequenceKey(prefix)) {
    return { fullKey, key, hashed, group: TAGS_GROUP };
  }
  if (key.startsWith(TAG_SEGMENT)) {
    const tag = key.slice(TAG_SEGMENT.length);
    return { fullKey, key, hashed, group: TAGS_GROUP, tag };
  }
  const group = hashed && !key.includes(':') ? HASHED_GROUP : keyNamespace(key);
  return { fullKey, key, hashed, group };
}
