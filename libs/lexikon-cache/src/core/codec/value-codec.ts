import { UnencodableValueError } from '../errors/lexikon-cache.error.js';

/**
 * Type-preserving serialization of cached values.
 *
 * Values that plain JSON represents exactly are stored as plain JSON (the
 * common case, decoded by a single `JSON.parse`). Anything else — Date,
 * BigInt, Map, Set, Buffer, typed arrays, RegExp, `undefined`, NaN/±Infinity,
 * -0 — switches the whole value to a tagged form, prefixed by `~T`, whose
 * markers are plain data: decoding never executes code.
 */
const TAGGED_PREFIX = '~T';
const MARK = '$';

type Tagged =
  null | boolean | number | string | Tagged[] | { [key: string]: Tagged };

/** Raised when stored bytes are not a value this codec wrote. */
export class CorruptEntryError extends Error {
  override readonly name = 'CorruptEntryError';
}

export function encodeValue(value: unknown): string {
  if (isPlainJson(value, '', new Set())) return JSON.stringify(value);
  return TAGGED_PREFIX + JSON.stringify(toTagged(value, '', new Set()));
}

export function decodeValue(payload: string): unknown {
  try {
    if (payload.charCodeAt(0) === 72 /* H */) return decodeHttpBody(payload);
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

/** An entry the HTTP interceptor stored (`H<kind><etag>\n<body>`) read as a value. */
function decodeHttpBody(payload: string): unknown {
  const nl = payload.indexOf('\n');
  if (nl < 0) throw new Error('malformed HTTP entry');
  const body = payload.slice(nl + 1);
  switch (payload[1]) {
    case 'j':
      return JSON.parse(body);
    case 't':
      return body;
    case 'n':
      return null;
  }
  throw new Error('malformed HTTP entry');
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function unencodable(
  value: unknown,
  path: string,
): UnencodableValueError | undefined {
  if (typeof value === 'function')
    return UnencodableValueError.create(path, 'a function');
  if (typeof value === 'symbol')
    return UnencodableValueError.create(path, 'a symbol');
  return undefined;
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

function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
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
    ArrayBuffer.isView(value)
  );
}

function toTagged(value: unknown, path: string, seen: Set<object>): Tagged {
  switch (typeof value) {
    case 'undefined':
      return { [MARK]: 'u' };
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [MARK]: 'n', v: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { [MARK]: 'b', v: value.toString() };
    case 'object':
      break;
    default:
      throw (
        unencodable(value, path) ??
        UnencodableValueError.create(path, typeof value)
      );
  }
  if (value === null) return null;
  if (seen.has(value))
    throw UnencodableValueError.create(path, 'a circular reference');
  seen.add(value);
  try {
    return taggedObject(value, path, seen);
  } finally {
    seen.delete(value);
  }
}

function taggedObject(value: object, path: string, seen: Set<object>): Tagged {
  if (Array.isArray(value)) {
    const out: Tagged[] = [];
    for (let i = 0; i < value.length; i++) {
      out[i] =
        i in value
          ? toTagged(value[i], `${path}[${i}]`, seen)
          : { [MARK]: 'h' };
    }
    return out;
  }
  if (value instanceof Date) return { [MARK]: 'd', v: value.getTime() };
  if (value instanceof Map) {
    let i = 0;
    const entries: Tagged[] = [];
    for (const [k, v] of value) {
      entries.push([
        toTagged(k, `${path}<key ${i}>`, seen),
        toTagged(v, `${path}<${i}>`, seen),
      ]);
      i++;
    }
    return { [MARK]: 'm', v: entries };
  }
  if (value instanceof Set) {
    let i = 0;
    const items: Tagged[] = [];
    for (const v of value) items.push(toTagged(v, `${path}<${i++}>`, seen));
    return { [MARK]: 's', v: items };
  }
  if (value instanceof RegExp)
    return { [MARK]: 'r', v: [value.source, value.flags] };
  if (ArrayBuffer.isView(value)) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return {
      [MARK]: Buffer.isBuffer(value) ? 'B' : 'U',
      v: bytes.toString('base64'),
    };
  }
  if (hasToJson(value)) {
    return toTagged((value as { toJSON(): unknown }).toJSON(), path, seen);
  }
  const out: { [key: string]: Tagged } = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = toTagged(child, `${path}.${key}`, seen);
  }
  // A user object that happens to own the marker key is wrapped so that it
  // can never be read back as one of our markers.
  return MARK in out ? { [MARK]: 'o', v: out } : out;
}

function fromTagged(node: Tagged): unknown {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return reviveArray(node);
  const mark = node[MARK];
  if (mark === undefined) return reviveObject(node);
  const v = node.v;
  switch (mark) {
    case 'u':
      return undefined;
    case 'n':
      return v === '-0' ? -0 : Number(v);
    case 'b':
      return BigInt(expectString(v));
    case 'd':
      return new Date(expectNumber(v));
    case 'm':
      return new Map(
        expectArray(v).map((pair) => {
          const [k, val] = expectArray(pair);
          return [fromTagged(k), fromTagged(val)] as const;
        }),
      );
    case 's':
      return new Set(expectArray(v).map(fromTagged));
    case 'r': {
      const [source, flags] = expectArray(v);
      return new RegExp(expectString(source), expectString(flags));
    }
    case 'B':
      return Buffer.from(expectString(v), 'base64');
    case 'U':
      return new Uint8Array(Buffer.from(expectString(v), 'base64'));
    case 'o':
      if (v === null || typeof v !== 'object' || Array.isArray(v)) break;
      return reviveObject(v);
  }
  throw new CorruptEntryError(`unknown marker ${JSON.stringify(mark)}`);
}

function reviveArray(nodes: Tagged[]): unknown[] {
  const out: unknown[] = [];
  out.length = nodes.length;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    // holes stay holes
    if (isHole(node)) continue;
    out[i] = fromTagged(node);
  }
  return out;
}

function isHole(node: Tagged): boolean {
  return (
    node !== null &&
    typeof node === 'object' &&
    !Array.isArray(node) &&
    node[MARK] === 'h'
  );
}

function reviveObject(node: {
  [key: string]: Tagged;
}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    const value = fromTagged(child);
    // an own "__proto__" key must stay data, never become the prototype
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      out[key] = value;
    }
  }
  return out;
}

function expectString(v: Tagged | undefined): string {
  if (typeof v !== 'string') throw new CorruptEntryError('expected a string');
  return v;
}

function expectNumber(v: Tagged | undefined): number {
  if (typeof v !== 'number') throw new CorruptEntryError('expected a number');
  return v;
}

function expectArray(v: Tagged | undefined): Tagged[] {
  if (!Array.isArray(v)) throw new CorruptEntryError('expected an array');
  return v;
}
