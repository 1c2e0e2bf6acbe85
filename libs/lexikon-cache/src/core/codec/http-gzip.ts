import { gunzipSync, gzipSync } from 'node:zlib';
import { CorruptEntryError } from './tagged-value.js';
import { unpackBytes } from './seven-bit.js';

/** How JSON bodies are gzipped once, when stored (see the README's "Gzip-encoded HTTP bodies"). */
export interface HttpGzipSettings {
  /** Smallest body (UTF-16 length) stored gzipped. */
  readonly threshold: number;
  /** zlib level, 1 (fastest) to 9 (smallest). */
  readonly level: number;
}

/** The body's gzip bytes, or undefined when gzip would not shrink it. */
export function gzipBody(
  body: string,
  settings: HttpGzipSettings,
): Buffer | undefined {
  if (body.length < settings.threshold) return undefined;
  const bytes = gzipSync(body, { level: settings.level });
  // stored 7 bits per character: worth it only when that is still smaller
  return Math.ceil((bytes.length * 8) / 7) < body.length ? bytes : undefined;
}

/**
 * A strong validator of the gzip representation: RFC 9110 wants one per
 * content coding, or a cache could pair a 304 with the other encoding.
 */
export function gzipEtag(etag: string): string {
  return `${etag.slice(0, -1)}-gz"`;
}

/** gzip's magic bytes and the smallest member (10-byte header, empty deflate, 8-byte trailer). */
const MIN_GZIP = 20;

/**
 * A stored entry whose JSON body is gzipped: the bytes are read back once,
 * the text only for a client that does not accept gzip (or a reader of the
 * value).
 */
export class GzippedJsonEntry {
  readonly kind = 'json' as const;
  readonly gzip: Buffer;
  private text: string | undefined;

  constructor(
    readonly etag: string,
    payload: string,
    start: number,
  ) {
    const bytes = unpackBytes(payload, start);
    if (bytes.length < MIN_GZIP || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
      throw new CorruptEntryError('malformed gzip HTTP entry');
    }
    this.gzip = bytes;
  }

  get body(): string {
    if (this.text === undefined) {
      try {
        this.text = gunzipSync(this.gzip).toString('utf8');
      } catch (err) {
        throw new CorruptEntryError('undecodable gzip HTTP entry', {
          cause: err,
        });
      }
    }
    return this.text;
  }
}
