import { randomInt } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';

/** Every test key starts with this, so tests never touch anyone else's keys. */
export const TEST_KEY_NAMESPACE = 'lexikon-test:';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A key prefix of this test's own, `lexikon-test:<label>:<8 random chars>:`,
 * so parallel jest workers (and parallel runs on a shared Redis) never share
 * keys.
 */
export function uniquePrefix(label: string): string {
  if (!/^[\w.-]+$/.test(label)) {
    throw new Error(
      `uniquePrefix: label ${JSON.stringify(label)} must be letters, digits, '_', '-' or '.'`,
    );
  }
  let random = '';
  for (let i = 0; i < 8; i++) random += ALPHABET[randomInt(ALPHABET.length)];
  return `${TEST_KEY_NAMESPACE}${label}:${random}:`;
}

/** Escapes the glob characters SCAN MATCH knows. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\^]/g, (c) => `\\${c}`);
}

async function deleteOnNode(
  node: Redis,
  pattern: string,
  perKey: boolean,
): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(
      cursor,
      'MATCH',
      pattern,
      'COUNT',
      1000,
    );
    cursor = next;
    if (keys.length === 0) continue;
    if (!perKey) {
      deleted += await node.unlink(...keys);
      continue;
    }
    // In a cluster one UNLINK may only name keys of one slot.
    const pipeline = node.pipeline();
    for (const key of keys) pipeline.unlink(key);
    for (const [error, count] of (await pipeline.exec()) ?? []) {
      if (!error) deleted += Number(count);
    }
  } while (cursor !== '0');
  return deleted;
}

/**
 * Deletes every key starting with `prefix` (SCAN ... COUNT 1000 + UNLINK;
 * never KEYS or FLUSH*), on every master of a Cluster. For afterAll cleanup.
 * The client must not have a `keyPrefix` option. Returns how many keys were
 * deleted.
 */
export async function deleteKeysWithPrefix(
  redis: Redis | Cluster,
  prefix: string,
): Promise<number> {
  if (!prefix.includes(TEST_KEY_NAMESPACE)) {
    throw new Error(
      `deleteKeysWithPrefix refuses prefix ${JSON.stringify(prefix)}: it only deletes test keys (containing ${JSON.stringify(TEST_KEY_NAMESPACE)}); use uniquePrefix()`,
    );
  }
  const options = redis.options as {
    keyPrefix?: string;
    redisOptions?: { keyPrefix?: string };
  };
  if (options.keyPrefix || options.redisOptions?.keyPrefix) {
    throw new Error(
      'deleteKeysWithPrefix needs a client without the keyPrefix option',
    );
  }
  const pattern = `${globEscape(prefix)}*`;
  if (redis instanceof Cluster) {
    const counts = await Promise.all(
      redis.nodes('master').map((node) => deleteOnNode(node, pattern, true)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }
  return deleteOnNode(redis, pattern, false);
}
