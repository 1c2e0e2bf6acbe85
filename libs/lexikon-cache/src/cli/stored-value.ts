import {
  decodeHttpEntry,
  decodeStoredValue,
  type HttpBodyKind,
} from '../core/codec/http-entry.js';
import { parseEntry } from '../core/store/redis/entry-header.js';
import { toDisplay, type Display } from './display-value.js';

/** A tag an entry was stamped with. */
export interface StampedTag {
  readonly tagKey: string;
  readonly version: string;
}

/** What a stored value is, as the Redis store writes them. */
export type StoredValue =
  | {
      readonly kind: 'entry';
      readonly tags: readonly StampedTag[];
      /** `http` when the HTTP interceptor stored it (a response body). */
      readonly format: 'value' | 'http';
      readonly value: Display;
      /** An HTTP entry's body kind and ETag. */
      readonly http?: { readonly body: HttpBodyKind; readonly etag: string };
      readonly payloadBytes: number;
    }
  | {
      readonly kind: 'lease';
      readonly token: string;
      /** The versions of the entry's tags when the lease was taken. */
      readonly versions: readonly string[];
    }
  | { readonly kind: 'counter'; readonly value: number | string }
  | { readonly kind: 'corrupt'; readonly reason: string };

const COUNTER = /^-?\d+$/;

function lease(raw: string): StoredValue {
  const nl = raw.indexOf('\n');
  const token = nl < 0 ? raw.slice(1) : raw.slice(1, nl);
  const rest = nl < 0 ? '' : raw.slice(nl + 1);
  return {
    kind: 'lease',
    token,
    versions: rest === '' ? [] : rest.split('\n'),
  };
}

function counter(raw: string): StoredValue {
  const n = Number(raw);
  return { kind: 'counter', value: Number.isSafeInteger(n) ? n : raw };
}

/** Reads a stored value without changing anything (a corrupt one is reported, not deleted). */
export function readStoredValue(raw: string): StoredValue {
  if (raw.startsWith('L')) return lease(raw);
  if (COUNTER.test(raw)) return counter(raw);
  const entry = parseEntry(raw);
  if (!entry)
    return { kind: 'corrupt', reason: 'not an entry, lease or counter' };
  const tags = entry.tagKeys.map((tagKey, i) => ({
    tagKey,
    version: entry.versions[i],
  }));
  try {
    const value = toDisplay(decodeStoredValue(entry.payload));
    const payloadBytes = Buffer.byteLength(entry.payload);
    if (!entry.payload.startsWith('H')) {
      return { kind: 'entry', tags, format: 'value', value, payloadBytes };
    }
    const http = decodeHttpEntry(entry.payload);
    return {
      kind: 'entry',
      tags,
      format: 'http',
      value,
      http: { body: http.kind, etag: http.etag },
      payloadBytes,
    };
  } catch (err) {
    return {
      kind: 'corrupt',
      reason: err instanceof Error ? err.message : String(err),
    };
  }
}
