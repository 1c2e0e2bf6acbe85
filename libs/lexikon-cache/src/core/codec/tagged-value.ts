import { UnencodableValueError } from '../errors/lexikon-cache.error.js';

/**
 * The tagged form of values plain JSON cannot hold. Markers are plain data
 * (`{"$": kind, "v": ...}`), so decoding never executes code, and a user
 * object that owns the marker key is wrapped so that it never reads as one.
 */
export const MARK = '$';

export type Tagged =
  null | boolean | number | string | Tagged[] | { [key: string]: Tagged };

/** Raised when stored bytes are not a value this codec wrote. */
export class CorruptEntryError extends Error {
  override readonly name = 'CorruptEntryError';
}

/** Typed array constructors a stored value may name; nothing else is ever constructed. */
const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
  DataView,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

function isTypedArrayName(name: string): name is TypedArrayName {
  return Object.hasOwn(TYPED_ARRAYS, name);
}

function base64Of(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString(
    'base64',
  );
}

/** Bytes in an ArrayBuffer of their own, so every element type is aligned. */
function ownBuffer(base64: string): ArrayBuffer {
  const bytes = Buffer.from(base64, 'base64');
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}

export function unencodable(
  value: unknown,
  path: string,
): UnencodableValueError | undefined {
  if (typeof value === 'function')
    return UnencodableValueError.create(path, 'a function');
  if (typeof value === 'symbol')
    return UnencodableValueError.create(path, 'a symbol');
  return undefined;
}

export function hasToJson(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

export function toTagged(
  value: unknown,
  path: string,
  seen: Set<object>,
): Tagged {
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
  if (Buffer.isBuffer(value)) return { [MARK]: 'B', v: base64Of(value) };
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    if (!isTypedArrayName(name)) {
      throw UnencodableValueError.create(path, `a ${name}`);
    }
    return { [MARK]: 'A', t: name, v: base64Of(value) };
  }
  if (value instanceof ArrayBuffer) {
    return { [MARK]: 'X', v: Buffer.from(value).toString('base64') };
  }
  if (hasToJson(value)) {
    return toTagged((value as { toJSON(): unknown }).toJSON(), path, seen);
  }
  const out: { [key: string]: Tagged } = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] = toTagged(child, `${path}.${key}`, seen);
  }
  return MARK in out ? { [MARK]: 'o', v: out } : out;
}

export function fromTagged(node: Tagged): unknown {
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
    case 'A':
      return typedArray(expectString(node.t), expectString(v));
    case 'X':
      return ownBuffer(expectString(v));
    case 'o':
      if (v === null || typeof v !== 'object' || Array.isArray(v)) break;
      return reviveObject(v);
  }
  throw new CorruptEntryError(`unknown marker ${JSON.stringify(mark)}`);
}

function typedArray(name: string, base64: string): ArrayBufferView {
  if (!isTypedArrayName(name)) {
    throw new CorruptEntryError(`unknown typed array ${JSON.stringify(name)}`);
  }
  const buffer = ownBuffer(base64);
  const Ctor = TYPED_ARRAYS[name];
  if (Ctor === DataView) return new DataView(buffer);
  const element = (Ctor as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
  if (buffer.byteLength % element !== 0) {
    throw new CorruptEntryError(`${name} of ${buffer.byteLength} bytes`);
  }
  return new (Ctor as new (b: ArrayBuffer) => ArrayBufferView)(buffer);
}

function reviveArray(nodes: Tagged[]): unknown[] {
  const out: unknown[] = [];
  out.length = nodes.length;
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
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
