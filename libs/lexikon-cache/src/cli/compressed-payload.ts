import type { Cluster, Redis } from 'ioredis';
import {
  PayloadCompression,
  UNREADABLE,
} from '../core/store/compress/payload-compression.js';
import { redisDictionaries } from '../core/store/compress/redis-dictionaries.js';
import { resolveCompression } from '../core/options/resolve-compression.js';
import { parseEntry } from '../core/store/redis/entry-header.js';

/** A stored value with its payload inflated, and how it was stored. */
export type Inflated =
  | { readonly raw: string; readonly compression?: string }
  | { readonly unreadable: string };

/**
 * An entry whose payload is compressed (`Z0`, `Z1<id>`), read back as the
 * library reads it (a dictionary fetched from Redis, never written); any
 * other stored value as it is.
 */
export async function inflateStored(
  client: Redis | Cluster,
  prefix: string,
  key: string,
  raw: string,
): Promise<Inflated> {
  const entry = parseEntry(raw);
  if (!entry || !entry.payload.startsWith('Z')) return { raw };
  const codec = new PayloadCompression(
    prefix,
    resolveCompression(undefined),
    redisDictionaries(client),
  );
  const payload = await codec.unpack(key, entry.payload);
  const dictionary = entry.payload.startsWith('Z1')
    ? entry.payload.slice(2, 10)
    : undefined;
  if (payload === UNREADABLE)
    return {
      unreadable: `its compression dictionary ${dictionary ?? '?'} is not in Redis`,
    };
  if (payload === entry.payload) return { raw };
  return {
    raw: raw.slice(0, raw.length - entry.payload.length) + payload,
    compression: dictionary
      ? `deflate-raw with dictionary ${dictionary}`
      : 'deflate-raw',
  };
}
