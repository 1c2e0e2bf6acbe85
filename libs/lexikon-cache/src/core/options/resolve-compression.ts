import { createHash } from 'node:crypto';
import type { HttpGzipSettings } from '../codec/http-gzip.js';
import { CacheOptionsError } from '../errors/lexikon-cache.error.js';

/**
 * Compression of entries in Redis (see the README's "Compression"). Off by
 * default; `true` for the defaults below, `false` (or unset) to write every
 * entry plain (entries other instances compressed are read either way).
 *
 * @example
 * compression: { threshold: 2048, dictionaries: { terms: trainDictionary(samples) } }
 */
export interface CompressionOptions {
  /** Smallest payload (UTF-16 length) stored compressed. Default 1024. */
  threshold?: number;
  /**
   * Preset dictionaries by namespace (the key's part before its first `:`),
   * at most 32 KiB each, shared with every instance through Redis. A
   * different text is a new dictionary: entries name the one they need.
   */
  dictionaries?: Readonly<Record<string, string>>;
  /** Smallest payload stored compressed in a namespace with a dictionary. Default 128. */
  dictionaryThreshold?: number;
}

export interface ResolvedDictionary {
  /** 8 hex digits of the text's SHA-256: the version entries name. */
  readonly id: string;
  readonly text: string;
  readonly bytes: Buffer;
}

export interface ResolvedCompression {
  readonly enabled: boolean;
  readonly threshold: number;
  readonly dictionaryThreshold: number;
  readonly dictionaries: ReadonlyMap<string, ResolvedDictionary>;
}

/** The deflate window: text further back than this is never referenced. */
export const MAX_DICTIONARY_BYTES = 32 * 1024;

export function dictionaryOf(text: string): ResolvedDictionary {
  return {
    id: createHash('sha256').update(text).digest('hex').slice(0, 8),
    text,
    bytes: Buffer.from(text, 'utf8'),
  };
}

function size(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new CacheOptionsError(
      `compression.${name} must be a non-negative integer, got ${JSON.stringify(value)}`,
    );
  return value;
}

function dictionaries(value: unknown): ReadonlyMap<string, ResolvedDictionary> {
  const out = new Map<string, ResolvedDictionary>();
  if (value === undefined) return out;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CacheOptionsError(
      'compression.dictionaries must be an object of namespace → dictionary text',
    );
  for (const [ns, text] of Object.entries(value)) {
    if (
      typeof text !== 'string' ||
      text.length === 0 ||
      Buffer.byteLength(text) > MAX_DICTIONARY_BYTES
    )
      throw new CacheOptionsError(
        `compression.dictionaries.${ns} must be a non-empty string of at most ${MAX_DICTIONARY_BYTES} bytes`,
      );
    if (ns.length === 0 || /[\s:*?[\]{}\\]/.test(ns))
      throw new CacheOptionsError(
        `compression.dictionaries: ${JSON.stringify(ns)} is not a namespace`,
      );
    out.set(ns, dictionaryOf(text));
  }
  return out;
}

export function resolveCompression(value: unknown): ResolvedCompression {
  if (value === undefined || value === true || value === false) {
    // off unless asked: inflating costs a hit CPU (see the README's figures)
    return {
      enabled: value === true,
      threshold: 1024,
      dictionaryThreshold: 128,
      dictionaries: new Map(),
    };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CacheOptionsError(
      'compression must be true, false or an object of compression options',
    );
  const o = value as CompressionOptions;
  return {
    enabled: true,
    threshold: size('threshold', o.threshold, 1024),
    dictionaryThreshold: size(
      'dictionaryThreshold',
      o.dictionaryThreshold,
      128,
    ),
    dictionaries: dictionaries(o.dictionaries),
  };
}

/**
 * JSON response bodies of `@Cacheable` routes gzipped once when stored and
 * sent as stored to clients that accept gzip (see the README's
 * "Gzip-encoded HTTP bodies"). Off by default; `true` for the defaults.
 *
 * @example
 * LexikonCacheModule.forRoot({ redis: { url }, httpCompression: { threshold: 2048, level: 9 } })
 */
export interface HttpCompressionOptions {
  /** Smallest JSON body (UTF-16 length) stored gzipped. Default 1024. */
  threshold?: number;
  /** zlib level, 1 (fastest) to 9 (smallest); paid once per fill. Default 6. */
  level?: number;
}

export function resolveHttpCompression(
  value: unknown,
): HttpGzipSettings | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { threshold: 1024, level: 6 };
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new CacheOptionsError(
      'httpCompression must be true, false or { threshold, level }',
    );
  const o = value as HttpCompressionOptions;
  const threshold = o.threshold ?? 1024;
  if (!Number.isSafeInteger(threshold) || threshold < 0)
    throw new CacheOptionsError(
      `httpCompression.threshold must be a non-negative integer, got ${JSON.stringify(o.threshold)}`,
    );
  const level = o.level ?? 6;
  if (!Number.isInteger(level) || level < 1 || level > 9)
    throw new CacheOptionsError(
      `httpCompression.level must be an integer from 1 to 9, got ${JSON.stringify(o.level)}`,
    );
  return { threshold, level };
}
