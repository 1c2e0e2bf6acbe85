import { createHash } from 'node:crypto';
import { CorruptEntryError, decodeValue } from './value-codec.js';

/**
 * A cached HTTP response body as it goes on the wire:
 * `H<kind><etag>\n<body>`, kind `j` (JSON), `t` (text) or `n` (null). A hit is
 * sent without parsing or serializing anything.
 */
export interface HttpEntry {
  readonly kind: 'j' | 't' | 'n';
  readonly etag: string;
  readonly body: string;
}

/** A strong validator: 96 bits of the body's SHA-1, short because every entry stores it. */
export function etagOf(body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;
}

/** The entry for a handler result, or undefined when it is not a cacheable body. */
export function toHttpEntry(result: unknown): HttpEntry | undefined {
  if (result === null) return { kind: 'n', etag: etagOf('null'), body: '' };
  if (typeof result === 'string')
    return { kind: 't', etag: etagOf(result), body: result };
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
  return body === undefined
    ? undefined
    : { kind: 'j', etag: etagOf(body), body };
}

export function encodeHttpEntry(entry: HttpEntry): string {
  return `H${entry.kind}${entry.etag}\n${entry.body}`;
}

/**
 * Reads an HTTP entry; an entry written by `CacheService` or a service
 * method under the same key is turned into its JSON body.
 */
export function decodeHttpEntry(payload: string): HttpEntry {
  if (payload.charCodeAt(0) === 72 /* H */) {
    const nl = payload.indexOf('\n');
    const kind = payload[1];
    if (nl < 0 || (kind !== 'j' && kind !== 't' && kind !== 'n')) {
      throw new CorruptEntryError('malformed HTTP entry');
    }
    return { kind, etag: payload.slice(2, nl), body: payload.slice(nl + 1) };
  }
  const entry = toHttpEntry(decodeValue(payload));
  if (!entry) throw new CorruptEntryError('not an HTTP body');
  return entry;
}
