import { patternToGlobs } from '../../core/keys/key-patterns.js';
import { CliError, EXIT, type ExitCode } from '../cli-error.js';
import type { Connection } from '../connection.js';
import { nameOf } from '../key-names.js';
import { byNode, describeKeys, findKeys } from '../key-scan.js';
import { formatBytes, formatTtl, table, type Output } from '../output.js';

export interface ScanOptions {
  readonly limit: number;
}

interface ScannedKey {
  readonly key: string;
  readonly fullKey: string;
  readonly hashed: boolean;
  readonly ttlMs: number;
  readonly bytes: number | null;
}

/**
 * `scan <pattern>`: keys under the prefix matching the pattern (`*` the only
 * wildcard, as in the library), by SCAN on every master, with TTL and size.
 */
export async function runScan(
  conn: Connection,
  out: Output,
  pattern: string,
  options: ScanOptions,
): Promise<ExitCode> {
  if (pattern === '') throw CliError.usage('the pattern must not be empty');
  const globs = patternToGlobs(conn.prefix, pattern);
  const { found, truncated } = await findKeys(
    conn.masters(),
    globs,
    options.limit,
  );
  const keys: ScannedKey[] = [];
  for (const [node, list] of byNode(found)) {
    for (const facts of await describeKeys(node, list)) {
      if (facts.ttlMs === -2) continue; // expired since SCAN saw it
      const name = nameOf(conn.prefix, facts.key);
      keys.push({
        key: name.key,
        fullKey: facts.key,
        hashed: name.hashed,
        ttlMs: facts.ttlMs,
        bytes: facts.bytes,
      });
    }
  }
  keys.sort((a, b) => (a.fullKey < b.fullKey ? -1 : 1));
  const result = { pattern, globs, count: keys.length, truncated, keys };
  out.result(result, () => {
    if (keys.length === 0) return `no key matches ${JSON.stringify(pattern)}`;
    const rows = keys.map((k) => [
      k.hashed ? `${k.key} (hashed)` : k.key,
      formatTtl(k.ttlMs),
      formatBytes(k.bytes),
    ]);
    const more = truncated
      ? `\n${keys.length} keys shown; more match (raise --limit)`
      : `\n${keys.length} key(s)`;
    return table(['key', 'ttl', 'size'], rows, new Set([1, 2])) + more;
  });
  return keys.length > 0 ? EXIT.ok : EXIT.notFound;
}
