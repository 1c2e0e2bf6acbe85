import { createHash } from 'node:crypto';
import {
  GzippedJsonEntry,
  gzipBody,
  type HttpGzipSettings,
} from './http-gzip.js';
import { packBytes } from './seven-bit.js';
import { CorruptEntryError, decodeValue } from './value-codec.js';

/** What a cached HTTP body is: JSON, text, or a `null` result. */
export type HttpBodyKind = 'json' | 'text' | 'null';

/**
 * A cached HTTP response body, sent on a hit as stored, without parsing or
 * serializing anything.
 */
export interface HttpEntry {
  readonly kind: HttpBodyKind;
  readonly etag: string;
  readonly body: string;
  /** The JSON body gzipped once when stored, sent as is to clients that accept gzip. */
  readonly gzip?: Buffer;
}

/**
 * One letter per kind on the wire: `H<letter><etag>\n<body>`; `J` is a
 * gzipped JSON body, its bytes 7 bits per character (upper case: the
 * payload compression leaves it as it is).
 */
const WIRE: Record<HttpBodyKind, string> = { json: 'j', text: 't', null: 'n' };
const FROM_WIRE: Record<string, HttpBodyKind | undefined> = {
  j: 'json',
  t: 'text',
  n: 'null',
};

/** A strong validator: 96 bits of the body's SHA-1, short because every entry stores it. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;
}

/**
 * The entry for a handler result, or undefined when it is not a cacheable
 * body. With `gzip`, a JSON body from its threshold is also gzipped.
 */
export function toHttpEntry(
  result: unknown,
  gzip?: HttpGzipSettings,
): HttpEntry | undefined {
  if (result === null) return { kind: 'null', etag: etagOf('null'), body: '' };
  if (typeof result === 'string')
    return { kind: 'text', etag: etagOf(result), body: result };
  if (
    result === undefined ||
    typeof result === 'function' ||
    typeof result === 'symbol'
  ) {
    return undefined;
  }
  if (
    typeof result === 'object' &&
    (Buffer.isBuffer(result) || ArrayBuffer.isView(result))
  ) {
    return undefined;
  }
  const body = JSON.stringify(result) as string | undefined;
  if (body === undefined) return undefined;
  return {
    kind: 'json',
    etag: etagOf(body),
    body,
    gzip: gzip && gzipBody(body, gzip),
  };
}

export function encodeHttpEntry(entry: HttpEntry): string {
  if (entry.gzip !== undefined)
    return `HJ${entry.etag}\n${packBytes(entry.gzip)}`;
  return `H${WIRE[entry.kind]}${entry.etag}\n${entry.body}`;
}

/**
 * Reads an HTTP entry; an entry written by `CacheService` or a service
 * method under the same key is turned into its JSON body.
 */
export function decodeHttpEntry(payload: string): HttpEntry {
  if (payload.charCodeAt(0) === 72 /* H */) {
    const nl = payload.indexOf('\n');
    if (nl > 0 && payload.charCodeAt(1) === 74 /* J */)
      return new GzippedJsonEntry(payload.slice(2, nl), payload, nl + 1);
    const kind = FROM_WIRE[payload[1]];
    if (nl < 0 || kind === undefined) {
      throw new CorruptEntryError('malformed HTTP entry');
    }
    return { kind, etag: payload.slice(2, nl), body: payload.slice(nl + 1) };
  }
  const entry = toHttpEntry(decodeValue(payload));
  if (!entry) throw new CorruptEntryError('not an HTTP body');
  return entry;
}

/**
 * A stored payload read as a value: what `CacheService` and service methods
 * see, also of an entry the HTTP interceptor stored under the same key (its
 * body's value).
 */
export function decodeStoredValue(payload: string): unknown {
  if (payload.charCodeAt(0) !== 72 /* H */) return decodeValue(payload);
  const entry = decodeHttpEntry(payload);
  if (entry.kind === 'text') return entry.body;
  if (entry.kind === 'null') return null;
  try {
    return JSON.parse(entry.body);
  } catch (err) {
    throw new CorruptEntryError('undecodable HTTP entry', { cause: err });
  }
}
