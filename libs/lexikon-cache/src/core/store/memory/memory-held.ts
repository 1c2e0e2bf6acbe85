import type { LRUCache } from 'lru-cache';
import type { ReadMiss, ReadOutcome } from '../cache-store.js';
import type { Slot } from './memory-slot.js';

/** A hit with its time left and tags, as a detailed read asks; a counter stays bare. */
export function detailedHit(
  slots: LRUCache<string, Slot>,
  key: string,
  payload: string,
): ReadOutcome {
  const slot = slots.peek(key);
  if (slot?.kind !== 'entry') return payload;
  return { payload, tagKeys: slot.tagKeys, ttlMs: slots.getRemainingTTL(key) };
}

/**
 * A read that finds a current lease: its holder, and the entry the lease
 * keeps when that entry carries exactly the tags read, at the versions the
 * lease was stamped with (a tag learnt from the value could have moved).
 */
export function heldBy(
  lease: Slot & { kind: 'lease' },
  tagKeys: readonly string[],
): ReadMiss {
  const kept = lease.kept;
  if (
    kept === undefined ||
    kept.tagKeys.length !== tagKeys.length ||
    kept.tagKeys.some(
      (t, i) => t !== tagKeys[i] || kept.versions[i] !== lease.versions[i],
    )
  )
    return { holder: lease.token };
  return { holder: lease.token, kept: kept.payload };
}
