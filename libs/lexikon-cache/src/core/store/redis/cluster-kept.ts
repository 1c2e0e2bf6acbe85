import { createHash } from 'node:crypto';
import type { ScriptReply } from './batch-codec.js';
import { parseEntry } from './entry-header.js';
import { STAMP_GONE, stampState } from '../tag-stamps.js';
import { KEPT, SET_IF_UNCHANGED, type StoreScript } from './scripts/index.js';

export function sha1(value: string): string {
  return createHash('sha1').update(value).digest('hex');
}

/** What the cluster's `keptEntry` needs of its store. */
export interface KeptEntryCalls {
  run(
    script: StoreScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<ScriptReply>;
  /** Current versions of tags (all on the tags' node). */
  tagVersions(tagKeys: string[]): Promise<(string | null)[]>;
  release(key: string, token: string): Promise<void>;
}

/**
 * `keptEntry` on a Redis Cluster. An untagged kept entry is settled by the
 * entry's node alone; a tagged one comes back whole, its tags are read from
 * the tags' node (current, or behind soft invalidations only), and it is
 * put back only if the lease did not change meanwhile. A bump between the
 * two leaves an outdated stamp, which every read rejects, as after any
 * cluster fill.
 */
export async function clusterKeptEntry(
  calls: KeptEntryCalls,
  key: string,
  token: string,
  putBackMs: number,
): Promise<boolean> {
  const reply = await calls.run(KEPT, [key], [token, putBackMs, 'c']);
  if (!Array.isArray(reply)) return reply === 1;
  const value = String(reply[0]);
  const kept = value.slice(value.indexOf('\0') + 1);
  const entry = parseEntry(kept);
  const current = entry ? await calls.tagVersions(entry.tagKeys) : [];
  const servable =
    entry !== undefined && stampState(entry.versions, current) !== STAMP_GONE;
  if (putBackMs <= 0) return servable;
  if (!servable) {
    await calls.release(key, token);
    return false;
  }
  const put = await calls.run(
    SET_IF_UNCHANGED,
    [key],
    [sha1(value), kept, putBackMs],
  );
  return put === 1;
}
