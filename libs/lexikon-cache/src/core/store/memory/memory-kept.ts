import type { LRUCache } from 'lru-cache';
import type { OutlivedEntry } from '../cache-store.js';
import { STAMP_FRESH, STAMP_GONE, type StampState } from '../tag-stamps.js';
import type { Slot } from './memory-slot.js';

type Slots = LRUCache<string, Slot>;

/**
 * With a grace period, an entry past its TTL (within `graceMs` of its end)
 * or behind a soft invalidation (`state` tells), as a read names it; else
 * undefined.
 */
export function outlivedEntry(
  slots: Slots,
  key: string,
  graceMs: number,
  state: (entry: Slot & { kind: 'entry' }) => StampState,
): OutlivedEntry | undefined {
  if (graceMs <= 0) return undefined;
  const slot = slots.peek(key);
  if (slot?.kind !== 'entry') return undefined;
  const stamps = state(slot);
  if (stamps === STAMP_GONE) return undefined;
  const left = slots.getRemainingTTL(key);
  if (stamps === STAMP_FRESH && left > graceMs) return undefined;
  return { payload: slot.payload, ttlMs: Math.min(left, graceMs) };
}

/**
 * The memory store's `keptEntry`: whether the entry `token`'s lease keeps
 * may be served (its tags `fresh` enough), put back for `putBackMs` when asked.
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
