/**
 * A stable, typed text for any argument value: object keys sorted, so that
 * the same arguments given in another property order make the same key, and
 * every type spelled out where JSON would blur it (Date, BigInt, Map, Set,
 * typed arrays, RegExp, -0, undefined), so distinct values give distinct
 * texts. Strings are always quoted, so no string reads as another type.
 */
export function canonicalize(value: unknown): string {
  return write(value, new Set());
}

function numberText(n: number): string {
  if (Object.is(n, -0)) return '-0';
  return Number.isFinite(n) ? String(n) : `#${String(n)}`;
}

function bytesText(name: string, bytes: Uint8Array): string {
  return `#${name}(${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')})`;
}

function write(value: unknown, seen: Set<object>): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return numberText(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
      return String(value);
    case 'function':
    case 'symbol':
      return `#${typeof value}`;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (seen.has(obj)) return '#cycle';
  seen.add(obj);
  try {
    return writeObject(obj, seen);
  } finally {
    seen.delete(obj);
  }
}

function writeObject(obj: object, seen: Set<object>): string {
  if (Array.isArray(obj)) {
    let out = '[';
    for (let i = 0; i < obj.length; i++) {
      if (i > 0) out += ',';
      out += i in obj ? write(obj[i], seen) : '#hole';
    }
    return `${out}]`;
  }
  if (obj instanceof Date) return `#date(${obj.getTime()})`;
  if (obj instanceof RegExp)
    return `#regexp(${JSON.stringify(obj.source)},${obj.flags})`;
  if (obj instanceof Map) {
    const entries = [...obj]
      .map(([k, v]) => `${write(k, seen)}:${write(v, seen)}`)
      .sort();
    return `#map{${entries.join(',')}}`;
  }
  if (obj instanceof Set) {
    const items = [...obj].map((v) => write(v, seen)).sort();
    return `#set[${items.join(',')}]`;
  }
  if (ArrayBuffer.isView(obj)) {
    const bytes = new Uint8Array(obj.buffer, obj.byteOffset, obj.byteLength);
    return bytesText(obj.constructor.name, bytes);
  }
  if (obj instanceof ArrayBuffer) {
    return bytesText('ArrayBuffer', new Uint8Array(obj));
  }
  const fields = Object.entries(obj)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${write(v, seen)}`).join(',')}}`;
}
