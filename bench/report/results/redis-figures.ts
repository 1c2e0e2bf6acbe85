import type { CommandCounts } from '../../support/redis-stats.js';
import type { Adapter, VariantId } from '../../variants/registry.js';

export interface RoundTripResult {
  readonly adapter: Adapter;
  readonly variant: VariantId;
  readonly requests: number;
  /** Commands clients sent per request: the round trips of a hit. */
  readonly roundTripsPerReq: number;
  /** Commands run inside Lua scripts per request (no extra round trip). */
  readonly scriptCmdsPerReq: number;
  readonly clientCommands: CommandCounts;
  readonly scriptCommands: CommandCounts;
}

export interface StampedeResult {
  readonly adapter: Adapter;
  readonly variant: VariantId;
  readonly concurrency: number;
  readonly loaderMs: number;
  /** Loader calls per trial. */
  readonly loaderCalls: number[];
  readonly loaderCallsMedian: number;
  /** Requests in all trials, and how many answered 200 with the right body. */
  readonly requests: number;
  readonly okResponses: number;
  readonly p50Ms: number;
  readonly maxMs: number;
}

export interface OpCost {
  readonly ms: number;
  /** Redis commands (INFO commandstats, script-internal ones included). */
  readonly commands: number;
  readonly breakdown: CommandCounts;
}

export interface InvalidationResults {
  readonly keyspace: number;
  readonly tagged: number;
  readonly small: number;
  /** invalidateTags on a tag carried by `small` entries (median of repeats). */
  readonly tagSmall: OpCost;
  /** invalidateTags on a tag carried by `tagged` entries (median of repeats). */
  readonly tagLarge: OpCost;
  /** deletePattern matching the `tagged` entries, among `keyspace` keys. */
  readonly pattern: OpCost & { readonly deleted: number };
  readonly writeSeconds: number;
}

export interface MemoryRow {
  readonly name: string;
  readonly description: string;
  readonly entries: number;
  readonly usedMemoryDelta: number;
  /** MB (10^6 bytes) per 1,000,000 entries. */
  readonly mbPerMillion: number;
  readonly bytesPerEntry: number;
  /** Mean stored value length, bytes. */
  readonly valueBytes: number;
  readonly writeSeconds: number;
}

export interface MemoryResults {
  readonly entries: number;
  readonly rows: MemoryRow[];
}
