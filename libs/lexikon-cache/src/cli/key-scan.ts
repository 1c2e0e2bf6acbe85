import type { Redis } from 'ioredis';

/** Hash-table slots each SCAN call visits; about as many keys. */
export const SCAN_COUNT = 1000;

/** Every batch SCAN returns for `glob` on one node, empty ones included (one per call). */
export async function* scanNode(
  node: Redis,
  glob: string,
  count = SCAN_COUNT,
): AsyncGenerator<string[]> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', glob, 'COUNT', count);
    cursor = next;
    yield keys;
  } while (cursor !== '0');
}

/** A key found on a node. */
export interface FoundKey {
  readonly node: Redis;
  readonly key: string;
}

/**
 * Distinct keys matching any of `globs` on every node (SCAN, never KEYS),
 * nodes in parallel; stops once `limit` are found (`truncated` then).
 */
export async function findKeys(
  nodes: readonly Redis[],
  globs: readonly string[],
  limit = Number.POSITIVE_INFINITY,
): Promise<{ found: FoundKey[]; truncated: boolean }> {
  const seen = new Set<string>();
  const found: FoundKey[] = [];
  let truncated = false;
  await Promise.all(
    nodes.map(async (node) => {
      for (const glob of globs) {
        for await (const keys of scanNode(node, glob)) {
          for (const key of keys) {
            if (seen.has(key)) continue;
            if (found.length >= limit) {
              truncated = true;
              return;
            }
            seen.add(key);
            found.push({ node, key });
          }
        }
      }
    }),
  );
  return { found, truncated };
}

/** What SCAN results are described by: remaining TTL and stored bytes. */
export interface KeyFacts {
  readonly key: string;
  /** PTTL: ms left, -1 without TTL, -2 when the key went away meanwhile. */
  readonly ttlMs: number;
  /** STRLEN of the stored value; null when it is not a string. */
  readonly bytes: number | null;
  /** MEMORY USAGE, when asked for (null when the key went away). */
  readonly memoryBytes?: number | null;
}

function numberOr<T>(reply: [Error | null, unknown] | undefined, or: T) {
  if (!reply || reply[0]) return or;
  return reply[1] === null ? or : Number(reply[1]);
}

/** TTL and size of keys of one node, in one pipeline (with MEMORY USAGE for those in `measure`). */
export async function describeKeys(
  node: Redis,
  keys: readonly string[],
  measure: ReadonlySet<string> = new Set(),
): Promise<KeyFacts[]> {
  if (keys.length === 0) return [];
  const p = node.pipeline();
  for (const key of keys) {
    p.pttl(key);
    p.strlen(key);
    if (measure.has(key)) p.memory('USAGE', key);
  }
  const replies = (await p.exec()) ?? [];
  const out: KeyFacts[] = [];
  let i = 0;
  for (const key of keys) {
    const ttlMs = numberOr(replies[i++], -2);
    const bytes = numberOr(replies[i++], null);
    if (!measure.has(key)) {
      out.push({ key, ttlMs, bytes });
      continue;
    }
    const memoryBytes = numberOr(replies[i++], null);
    out.push({ key, ttlMs, bytes, memoryBytes });
  }
  return out;
}

/** Groups found keys by their node, keeping order. */
export function byNode(found: readonly FoundKey[]): Map<Redis, string[]> {
  const groups = new Map<Redis, string[]>();
  for (const { node, key } of found) {
    const list = groups.get(node);
    if (list) list.push(key);
    else groups.set(node, [key]);
  }
  return groups;
}
