import type { CacheSpan } from '../metrics/cache-recorder.js';
import type { AdmitTicket, TwoTier } from '../tier/two-tier.js';
import type { EntryPolicy } from './entry-policy.js';

/** One getOrLoad call: what it reads, how, and (with a tier) since when. */
export interface ReadCall<T> {
  readonly key: string;
  readonly tagKeys: readonly string[];
  readonly loader: () => Promise<T>;
  readonly policy: EntryPolicy<T>;
  readonly tier: TwoTier | undefined;
  /** Told when the call is answered with an entry past its TTL (within its grace). */
  readonly onStale: (() => void) | undefined;
  /** A refresh in the background: nobody waits on it, nothing counts it as a request. */
  readonly background?: boolean;
  /** An early refresh: its lease ends with the entry it keeps, so it is never renewed. */
  readonly early?: boolean;
  ticket: AdmitTicket | undefined;
  attempt: number;
  span: CacheSpan | undefined;
}
