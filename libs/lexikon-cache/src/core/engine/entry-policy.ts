/**
 * How an engine caller turns its values into payloads and back. A value
 * `encode` declines (undefined) is not stored, and so never handed to
 * another caller either: a concurrent caller then runs its own load.
 */
export interface EntryPolicy<T> {
  /** Lifetime of a filled entry, in ms (jitter is applied on top). */
  readonly ttlMs: number;
  /** The payload to store, or undefined to not store this value. May throw (then it is not stored). */
  readonly encode: (value: T) => string | undefined;
  /** Throws when the payload is not one of ours: the entry is then dropped. */
  readonly decode: (payload: string) => T;
  /**
   * Full tag keys learnt from the loaded value. The fill is refused when one
   * of them was invalidated after the load began, so they stay race-free.
   */
  readonly lateTags?: (value: T) => readonly string[];
  /** False keeps the entry out of the in-process tier. */
  readonly l1?: boolean;
}
