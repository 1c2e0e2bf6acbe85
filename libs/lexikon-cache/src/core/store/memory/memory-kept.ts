import type { LRUCache } from 'lru-cache';
import type { Slot } from './memory-slot.js';

type Slots = LRUCache<string, Slot>;

/** Time left of an entry within `graceMs` of its end (past its TTL), else undefined. */
export function outlivedMs(
  slots: Slots,
  key: string,
  graceMs: number,
): number | undefined {
  if (graceMs <= 0 || slots.peek(key)?.kind !== 'entry') return undefined;
  const left = slots.getRemainingTTL(key);
  return left <= graceMs ? left : undefined;
}

/**
 * The memory store's `keptEntry`: whether the entry `token`'s lease keeps
 * may be served (its tags `fresh`), put back for `putBackMs` when asked.
 */
export function keptEntry(
  slots: Slots,
  key: string,
  token: string,
  putBackMs: number,
  fresh: (entry: Slot & { kind: 'entry' }) => boolean,
): boolean {
  const slot = slots.peek(key);
  if (slot?.kind !== 'lease' || slot.token !== token || !slot.kept)
    return false;
  const servable = fresh(slot.kept);
  if (putBackMs > 0) {
    if (servable) slots.set(key, slot.kept, { ttl: putBackMs });
    else slots.delete(key);
  }
  return servable;
}
