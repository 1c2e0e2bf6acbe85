import type { DetailedHit, OutlivedEntry } from '../cache-store.js';
import type { ScriptReply } from './batch-codec.js';

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
