import type { Redis } from 'ioredis';

const SCAN_BATCH = 1000;

/**
 * Deletes every key of one node matching `glob`, by SCAN and UNLINK in
 * batches (never KEYS). In a cluster, keys of one node may span slots, so
 * each is unlinked on its own, pipelined. Keys under `sparePrefixes` stay;
 * `progress` is told after each round trip.
 */
export async function scanDelete(
  node: Redis,
  glob: string,
  perKey: boolean,
  sparePrefixes?: readonly string[],
  progress?: () => void,
): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, found] = await node.scan(
      cursor,
      'MATCH',
      glob,
      'COUNT',
      SCAN_BATCH,
    );
    cursor = next;
    progress?.();
    const keys = sparePrefixes?.length
      ? found.filter((k) => !sparePrefixes.some((p) => k.startsWith(p)))
      : found;
    if (keys.length === 0) continue;
    if (perKey) {
      const p = node.pipeline();
      for (const k of keys) p.unlink(k);
      const results = (await p.exec()) ?? [];
      for (const [err, n] of results) if (!err) deleted += Number(n);
    } else {
      deleted += await node.unlink(...keys);
    }
    progress?.();
  } while (cursor !== '0');
  return deleted;
}
