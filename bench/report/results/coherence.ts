/** Latency of one kind of write, ms (exact quantiles over every timed call). */
export interface WriteLatency {
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Writes with the tier against the same writes on Redis only, interleaved. */
export interface AddedLatency {
  readonly withTier: WriteLatency;
  readonly redisOnly: WriteLatency;
  /** withTier − redisOnly, ms. */
  readonly addedP50Ms: number;
  readonly addedP99Ms: number;
}

export interface CoherenceRow {
  /** Instances holding the keys in their tier (the writer not counted). */
  readonly instances: number;
  readonly healthy: AddedLatency;
  readonly stalled: {
    /** The first write after one instance was stalled, ms, one per trial. */
    readonly firstWriteMs: number[];
    /** Whether every first write resolved within `boundMs`. */
    readonly withinBound: boolean;
    /** Writes after that one, the instance still stalled. */
    readonly steady: AddedLatency;
  };
}

/** What the in-process tier's coherence adds to a write (`invalidateTags`). */
export interface CoherenceResults {
  readonly keys: number;
  readonly rounds: number;
  readonly opsPerRound: number;
  /** The tier's lease (`l1.lease`), its margin and `l1.maxLag`, ms. */
  readonly leaseMs: number;
  readonly marginMs: number;
  readonly maxLagMs: number;
  /** lease + margin: how long a silent holder can keep a writer waiting. */
  readonly boundMs: number;
  readonly rows: CoherenceRow[];
}
