/**
 * A stable text for any argument value: object keys sorted, so that the same
 * arguments given in another property order make the same key. Types JSON
 * would blur (Date, BigInt, Map, Set, undefined) are spelled out.
 */
export function canonicalize(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : `#${String(value)}`;
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
    if (obj instanceof Date) return `#date(${obj.getTime()})`;
    if (Array.isArray(obj))
      return `[${obj.map((v) => write(v, seen)).join(',')}]`;
    if (obj instanceof Map) {
      const entries = [...obj]
        .map(([k, v]) => `${write(k, seen)}:${write(v, seen)}`)
        .sort();
      return `#map{${entries.join(',')}}`;
    }
    if (obj instanceof Set)
      return `#set[${[...obj]
        .map((v) => write(v, seen))
        .sort()
        .join(',')}]`;
    if (ArrayBuffer.isView(obj)) {
      return `#bytes(${Buffer.from(obj.buffer, obj.byteOffset, obj.byteLength).toString('base64')})`;
    }
    const fields = Object.entries(obj)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${fields.map(([k, v]) => `${JSON.stringify(k)}:${write(v, seen)}`).join(',')}}`;
  } finally {
    seen.delete(obj);
  }
}
