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
  /**
   * How long past its TTL the entry is kept (ms): while its reload runs, and
   * served instead of the loader's error or timeout. Never after an
   * invalidation reached it. 0 or absent: none (the hit path is untouched).
   */
  readonly graceMs?: number;
  /**
   * An entry at most this long (ms) past its TTL is answered at once while
   * one reload refreshes it in the background (never more than `graceMs`).
   */
  readonly staleWhileRevalidateMs?: number;
  /** Past this (ms), a load serves the entry within its grace while it goes on. */
  readonly softTimeoutMs?: number;
  /** Past this (ms), a load's caller gets `LoaderTimeoutError`, or the entry within its grace. */
  readonly hardTimeoutMs?: number;
  /**
   * Early refresh (XFetch) with this beta: a hit refreshes the entry in the
   * background before its TTL, the nearer its end and the slower its loader,
   * the likelier. Absent: off (the hit path is untouched).
   */
  readonly earlyRefreshBeta?: number;
}
