/** What the memory store holds under a key: an entry, a lease, or a counter. */
export type Slot =
  | {
      readonly kind: 'entry';
      readonly payload: string;
      readonly tagKeys: readonly string[];
      readonly versions: readonly string[];
    }
  | {
      readonly kind: 'lease';
      readonly token: string;
      readonly versions: readonly string[];
      readonly tagKeys: readonly string[];
      /** An entry past its TTL, kept for the loader to put back if it fails. */
      readonly kept?: Slot & { kind: 'entry' };
    }
  | { readonly kind: 'counter'; value: number };

export const NO_TAGS: readonly string[] = [];
/** What a slot costs besides its strings, roughly, for the byte bound. */
const SLOT_OVERHEAD_BYTES = 64;

export function slotBytes(slot: Slot, key: string): number {
  const text =
    slot.kind === 'entry'
      ? slot.payload.length
      : slot.kind === 'lease' && slot.kept
        ? slot.kept.payload.length
        : 16;
  return SLOT_OVERHEAD_BYTES + (key.length + text) * 2;
}
