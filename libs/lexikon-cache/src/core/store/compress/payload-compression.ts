import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { packBytes, unpackBytes } from '../../codec/seven-bit.js';
import { dictionaryKey, keyNamespace } from '../../keys/cache-keys.js';
import {
  dictionaryOf,
  type ResolvedCompression,
  type ResolvedDictionary,
} from '../../options/resolve-compression.js';

/** How the dictionaries of a namespace are shared between instances. */
export interface DictionaryShare {
  /** The text under a dictionary key, null when there is none. */
  fetch(key: string): Promise<string | null>;
  /** Stores a dictionary's text unless the key holds it already. */
  publish(key: string, text: string): Promise<void>;
}

/** `Z0<7-bit deflate-raw>`; `Z1<8 hex id><7-bit deflate-raw with that dictionary>`. */
const PLAIN_MARK = 'Z0';
const DICT_MARK = 'Z1';
const ID_CHARS = 8;
const Z = 90;
const H = 72;

/** What unpacking a payload that needs an unknown dictionary gives: a miss. */
export const UNREADABLE = Symbol('unreadable');
export type Unpacked = string | typeof UNREADABLE;

/**
 * Compresses payloads for Redis and reads them back. Every payload is read
 * whatever this instance's own option: a mark says what it holds, and an
 * unmarked one is plain. A dictionary is fetched once per process per id.
 */
export class PayloadCompression {
  private readonly byId = new Map<string, Buffer>();
  private readonly fetching = new Map<string, Promise<Buffer | undefined>>();
  private readonly published = new Map<string, Promise<void> | true>();

  constructor(
    private readonly keyPrefix: string,
    private readonly settings: ResolvedCompression,
    private readonly share: DictionaryShare,
  ) {
    for (const d of settings.dictionaries.values())
      this.byId.set(d.id, d.bytes);
  }

  private namespaceOf(key: string): string {
    return keyNamespace(key.slice(this.keyPrefix.length));
  }

  private dictionaryFor(key: string): ResolvedDictionary | undefined {
    const all = this.settings.dictionaries;
    return all.size === 0 ? undefined : all.get(this.namespaceOf(key));
  }

  /** The payload as Redis should hold it. */
  pack(key: string, payload: string): string {
    const s = this.settings;
    if (!s.enabled || payload.length < s.dictionaryThreshold) return payload;
    // an HTTP entry with an upper-case kind holds a gzipped body already
    if (payload.charCodeAt(0) === H && payload.charCodeAt(1) < 97)
      return payload;
    const dict = this.dictionaryFor(key);
    if (dict) {
      const packed =
        DICT_MARK +
        dict.id +
        packBytes(deflateRawSync(payload, { dictionary: dict.bytes }));
      return packed.length < payload.length ? packed : payload;
    }
    if (payload.length < s.threshold) return payload;
    const packed = PLAIN_MARK + packBytes(deflateRawSync(payload));
    return packed.length < payload.length ? packed : payload;
  }

  /**
   * Resolves once the dictionaries `keys` are packed with are in Redis
   * (undefined when they are already: no wait on the write path).
   */
  ready(keys: readonly string[]): Promise<void> | undefined {
    if (!this.settings.enabled || this.settings.dictionaries.size === 0)
      return undefined;
    let waits: Promise<void>[] | undefined;
    for (const key of keys) {
      const dict = this.dictionaryFor(key);
      if (!dict) continue;
      const ns = this.namespaceOf(key);
      const state = this.published.get(ns);
      if (state === true) continue;
      (waits ??= []).push(state ?? this.publish(ns, dict));
    }
    return waits && Promise.all(waits).then(() => undefined);
  }

  private publish(ns: string, dict: ResolvedDictionary): Promise<void> {
    const p = this.share
      .publish(dictionaryKey(this.keyPrefix, ns, dict.id), dict.text)
      .then(
        () => void this.published.set(ns, true),
        (err: unknown) => {
          this.published.delete(ns);
          throw err;
        },
      );
    this.published.set(ns, p);
    return p;
  }

  /** The payload as written; a promise only while a dictionary is fetched. */
  unpack(key: string, payload: string): Unpacked | Promise<Unpacked> {
    if (payload.charCodeAt(0) !== Z) return payload;
    if (payload.startsWith(PLAIN_MARK))
      return inflate(payload, PLAIN_MARK.length, undefined);
    if (!payload.startsWith(DICT_MARK)) return payload;
    const id = payload.slice(DICT_MARK.length, DICT_MARK.length + ID_CHARS);
    const start = DICT_MARK.length + ID_CHARS;
    const dict = this.byId.get(id);
    if (dict) return inflate(payload, start, dict);
    return this.fetchDictionary(key, id).then((d) =>
      d ? inflate(payload, start, d) : UNREADABLE,
    );
  }

  private fetchDictionary(
    key: string,
    id: string,
  ): Promise<Buffer | undefined> {
    let p = this.fetching.get(id);
    if (p) return p;
    const ns = this.namespaceOf(key);
    p = this.share.fetch(dictionaryKey(this.keyPrefix, ns, id)).then(
      (text) => {
        this.fetching.delete(id);
        // a text that is not the one named would misread every entry
        if (text === null || !idMatches(text, id)) return undefined;
        const bytes = Buffer.from(text, 'utf8');
        this.byId.set(id, bytes);
        return bytes;
      },
      (err: unknown) => {
        this.fetching.delete(id);
        throw err;
      },
    );
    this.fetching.set(id, p);
    return p;
  }
}

function idMatches(text: string, id: string): boolean {
  return dictionaryOf(text).id === id;
}

/** A payload that does not inflate stays as read: its decoder drops it as corrupt. */
function inflate(
  payload: string,
  start: number,
  dictionary: Buffer | undefined,
): string {
  try {
    const bytes = unpackBytes(payload, start);
    return (
      dictionary ? inflateRawSync(bytes, { dictionary }) : inflateRawSync(bytes)
    ).toString('utf8');
  } catch {
    return payload;
  }
}
