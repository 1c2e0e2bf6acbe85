import type { DetailedHit, OutlivedEntry, ReadMiss } from '../cache-store.js';
import type { ScriptReply } from './batch-codec.js';
import { parseEntry } from './entry-header.js';

/** A READ reply of an outlived entry ({6|7, payload, ttl ms, ...}) as the port shapes it. */
export function outlivedOf(r: ScriptReply[]): OutlivedEntry {
  return { payload: String(r[1]), ttlMs: Number(r[2]) };
}

/** A READ reply of a detailed hit ({5, payload, ttl ms, tag keys...}) as the port shapes it. */
export function detailedOf(r: ScriptReply[]): DetailedHit {
  return {
    payload: String(r[1]),
    ttlMs: Number(r[2]),
    tagKeys: r.slice(3) as string[],
  };
}

/**
 * A holder reply ({2, holder, stamped versions, kept entry?}) as the port
 * shapes it. The entry a lease keeps is named only when its tags are the
 * ones read and its versions `current` (the read tags' current versions,
 * newline-separated): a tag learnt from the value, not read here, could
 * have moved unseen.
 */
export function heldOf(
  r: ScriptReply[],
  tagKeys: readonly string[],
  current: string | undefined,
): ReadMiss {
  const holder = String(r[1]);
  if (current === undefined || typeof r[3] !== 'string') return { holder };
  const entry = parseEntry(r[3]);
  if (
    entry === undefined ||
    entry.tagKeys.length !== tagKeys.length ||
    entry.tagKeys.some((t, i) => t !== tagKeys[i]) ||
    entry.versions.join('\n') !== current
  )
    return { holder };
  return { holder, kept: entry.payload };
}
