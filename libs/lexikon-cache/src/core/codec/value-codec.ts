import { UnencodableValueError } from '../errors/lexikon-cache.error.js';
import {
  CorruptEntryError,
  fromTagged,
  hasToJson,
  MARK,
  type Tagged,
  toTagged,
  unencodable,
} from './tagged-value.js';

export { CorruptEntryError } from './tagged-value.js';

/**
 * Type-preserving serialization of cached values.
 *
 * Values that plain JSON represents exactly are stored as plain JSON (the
 * common case, decoded by a single `JSON.parse`). Anything else — Date,
 * BigInt, Map, Set, Buffer, typed arrays, ArrayBuffer, RegExp, `undefined`,
 * NaN/±Infinity, -0 — switches the whole value to a tagged form, prefixed by
 * `~T`, whose markers are plain data: decoding never executes code.
 */
const TAGGED_PREFIX = '~T';

export function encodeValue(value: unknown): string {
  if (isPlainJson(value, '', new Set())) return JSON.stringify(value);
  return TAGGED_PREFIX + JSON.stringify(toTagged(value, '', new Set()));
}

export function decodeValue(payload: string): unknown {
  try {
    if (payload.startsWith(TAGGED_PREFIX)) {
      return fromTagged(
        JSON.parse(payload.slice(TAGGED_PREFIX.length)) as Tagged,
      );
    }
    return JSON.parse(payload);
  } catch (err) {
    throw new CorruptEntryError('undecodable cache entry', { cause: err });
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Class instances without special handling are stored as their own enumerable data, like JSON. */
function isDataObject(value: object): boolean {
  return !isSpecial(value) && !hasToJson(value);
}

function isSpecial(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof RegExp ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value)
  );
}

/** True when JSON.stringify/parse round-trips the value exactly. */
function isPlainJson(value: unknown, path: string, seen: Set<object>): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0);
    case 'object':
      break;
    default: {
      const error = unencodable(value, path);
      if (error) throw error;
      return false;
    }
  }
  if (value === null) return true;
  if (seen.has(value))
    throw UnencodableValueError.create(path, 'a circular reference');
  let plain: boolean;
  seen.add(value);
  if (Array.isArray(value)) {
    plain = true;
    for (let i = 0; i < value.length; i++) {
      if (!(i in value) || !isPlainJson(value[i], `${path}[${i}]`, seen))
        plain = false;
    }
  } else if (isPlainObject(value) || isDataObject(value)) {
    plain = !(MARK in value) && !hasToJson(value);
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined || !isPlainJson(child, `${path}.${key}`, seen))
        plain = false;
    }
  } else {
    plain = false;
  }
  seen.delete(value);
  return plain;
}
