import type { Redis } from 'ioredis';

/**
 * Entry keys under `prefix` matching `pattern` (a SCAN glob after the
 * prefix), every SCAN page read; the tags' keys (`<prefix>{tags}…`) and
 * the library's state (`<prefix>{l1}…`: the tier, the Redis run marker;
 * `<prefix>{dict}…`: shared compression dictionaries) left out.
 */
export async function entryKeys(
  raw: Redis,
  prefix: string,
  pattern = '*',
): Promise<string[]> {
  const escaped = prefix.replace(/[*?[\]\\^]/g, (c) => `\\${c}`);
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(
      cursor,
      'MATCH',
      escaped + pattern,
      'COUNT',
      1000,
    );
    cursor = next;
    found.push(
      ...keys.filter(
        (k) =>
          !k.startsWith(`${prefix}{tags}`) &&
          !k.startsWith(`${prefix}{l1}`) &&
          !k.startsWith(`${prefix}{dict}`),
      ),
    );
  } while (cursor !== '0');
  return found.sort();
}
