/**
 * The header of an entry as the Redis store writes it:
 * `E<n>\n(<tag key>\n<version>\n){n}<payload>`. The Lua scripts read it on a
 * standalone server; in a cluster the client does, with these helpers.
 */
export const UNTAGGED_HEADER = 'E0\n';

export interface ParsedEntry {
  readonly tagKeys: string[];
  readonly versions: string[];
  readonly payload: string;
}

export function stampEntry(
  tagKeys: readonly string[],
  versions: readonly string[],
  payload: string,
): string {
  if (tagKeys.length === 0) return UNTAGGED_HEADER + payload;
  let header = `E${tagKeys.length}\n`;
  for (let i = 0; i < tagKeys.length; i++)
    header += `${tagKeys[i]}\n${versions[i]}\n`;
  return header + payload;
}

/** Undefined when the value is not a well-formed entry. */
export function parseEntry(value: string): ParsedEntry | undefined {
  if (value[0] !== 'E') return undefined;
  const nl = value.indexOf('\n', 1);
  if (nl < 0) return undefined;
  const count = Number(value.slice(1, nl));
  if (!Number.isInteger(count) || count < 0) return undefined;
  const tagKeys: string[] = [];
  const versions: string[] = [];
  let pos = nl + 1;
  for (let i = 0; i < count; i++) {
    const a = value.indexOf('\n', pos);
    const b = a < 0 ? -1 : value.indexOf('\n', a + 1);
    if (b < 0) return undefined;
    tagKeys.push(value.slice(pos, a));
    versions.push(value.slice(a + 1, b));
    pos = b + 1;
  }
  return { tagKeys, versions, payload: value.slice(pos) };
}
