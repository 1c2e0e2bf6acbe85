/** What an invalidation reaches: full keys, full tag keys and SCAN globs. */
export interface Invalidation {
  readonly keys?: readonly string[];
  readonly tagKeys?: readonly string[];
  /**
   * Those of `tagKeys` to bump softly: their entries are outdated, not gone
   * (servable within grace). Whatever else reads `tagKeys` (the in-process
   * tier, local flights) treats them as hard.
   */
  readonly softTagKeys?: readonly string[];
  readonly globs?: readonly string[];
}

/** What applying an invalidation did. */
export interface InvalidationResult {
  /** Whether the store confirmed all of it (otherwise it is deferred and replayed). */
  readonly applied: boolean;
  /** Entries deleted by key or pattern (0 when deferred). */
  readonly deleted: number;
}
