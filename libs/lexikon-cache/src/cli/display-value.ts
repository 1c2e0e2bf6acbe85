/** A decoded value rendered as JSON. */
export type Display =
  null | boolean | number | string | Display[] | { [key: string]: Display };

function base64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString(
    'base64',
  );
}

function typedArray(value: ArrayBufferView): Display {
  const name = value.constructor.name;
  if (value instanceof DataView) return { [`$${name}`]: base64(value) };
  const items = Array.from(value as unknown as ArrayLike<number | bigint>);
  return {
    [`$${name}`]: items.map((n) => (typeof n === 'bigint' ? n.toString() : n)),
  };
}

function special(value: object, seen: Set<object>): Display | undefined {
  if (value instanceof Date) {
    return {
      $Date: Number.isNaN(value.getTime())
        ? 'Invalid Date'
        : value.toISOString(),
    };
  }
  if (value instanceof Map) {
    return {
      $Map: [...value].map(([k, v]) => [
        toDisplay(k, seen),
        toDisplay(v, seen),
      ]),
    };
  }
  if (value instanceof Set) {
    return { $Set: [...value].map((v) => toDisplay(v, seen)) };
  }
  if (value instanceof RegExp) return { $RegExp: String(value) };
  if (Buffer.isBuffer(value)) return { $Buffer: value.toString('base64') };
  if (value instanceof ArrayBuffer) {
    return { $ArrayBuffer: Buffer.from(value).toString('base64') };
  }
  if (ArrayBuffer.isView(value)) return typedArray(value);
  return undefined;
}

/**
 * A value as the codec decodes it, shown as JSON: what plain JSON holds
 * stays as is; every type the codec keeps beyond JSON becomes a one-key
 * object naming it (`{"$Date": "2024-05-01T10:00:00.000Z"}`,
 * `{"$BigInt": "12"}`, `{"$Map": [[k, v]]}`, `{"$undefined": true}`,
 * `{"$number": "NaN"}`), so both people and scripts can tell them apart.
 */
export function toDisplay(value: unknown, seen = new Set<object>()): Display {
  switch (typeof value) {
    case 'undefined':
      return { $undefined: true };
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) && !Object.is(value, -0)
        ? value
        : { $number: Object.is(value, -0) ? '-0' : String(value) };
    case 'bigint':
      return { $BigInt: value.toString() };
    case 'object':
      break;
    default:
      return { [`$${typeof value}`]: String(value) };
  }
  if (value === null) return null;
  if (seen.has(value)) return { $circular: true };
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const out: Display[] = [];
      for (let i = 0; i < value.length; i++) {
        out.push(i in value ? toDisplay(value[i], seen) : { $hole: true });
      }
      return out;
    }
    const shown = special(value, seen);
    if (shown !== undefined) return shown;
    const out: { [key: string]: Display } = {};
    for (const [k, v] of Object.entries(value)) out[k] = toDisplay(v, seen);
    return out;
  } finally {
    seen.delete(value);
  }
}
