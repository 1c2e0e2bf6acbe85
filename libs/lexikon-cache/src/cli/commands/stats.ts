import type { Redis } from 'ioredis';
import { patternToGlobs } from '../../core/keys/key-patterns.js';
import { EXIT, type ExitCode } from '../cli-error.js';
import type { Connection } from '../connection.js';
import { nameOf } from '../key-names.js';
import { describeKeys, SCAN_COUNT, scanNode } from '../key-scan.js';
import { formatBytes, formatTtl, table, type Output } from '../output.js';
import type { Progress } from '../progress.js';
import { GroupTally, type GroupStats, TTL_BUCKETS } from './stats-tally.js';

export interface StatsOptions {
  /** Keys per group whose MEMORY USAGE is read. */
  readonly sample: number;
  /** Groups listed; the rest are summed up as one. */
  readonly top: number;
}

interface NodeScan {
  size: number;
  calls: number;
  done: boolean;
}

function usedMemory(info: string): number {
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
}

/** SCAN progress, roughly: each call visits about SCAN_COUNT slots of a node's table. */
function fractionDone(scans: readonly NodeScan[]): number {
  let total = 0;
  let done = 0;
  for (const s of scans) {
    total += s.size;
    done += s.done ? s.size : Math.min(s.size, s.calls * SCAN_COUNT);
  }
  return total === 0 ? 1 : Math.min(0.99, done / total);
}

async function scanInto(
  conn: Connection,
  node: Redis,
  tally: GroupTally,
  scan: NodeScan,
  onStep: () => void,
): Promise<void> {
  for await (const keys of scanNode(
    node,
    patternToGlobs(conn.prefix, '*')[0],
  )) {
    scan.calls++;
    const names = keys.map((k) => nameOf(conn.prefix, k));
    const measure = new Set(
      names.filter((n) => tally.wantsSample(n.group)).map((n) => n.fullKey),
    );
    const facts = await describeKeys(node, keys, measure);
    facts.forEach((f, i) => tally.add(names[i], f));
    onStep();
  }
  scan.done = true;
}

function human(
  conn: Connection,
  r: ReturnType<GroupTally['summary']>,
  nodes: number,
  usedMemoryBytes: number,
): string {
  const head = [
    `${conn.prefix} on ${conn.description}, ${nodes} node(s) scanned; Redis uses ${formatBytes(usedMemoryBytes)} in all`,
    `${r.keys} key(s) (${r.hashed} hashed), about ${formatBytes(r.memory.estimatedBytes)}: MEMORY USAGE of ${r.memory.sampled} key(s) sampled (up to ${r.memory.samplePerGroup} per group)`,
  ];
  if (r.groups.length === 0) return head.join('\n');
  const rows = r.groups.map((g: GroupStats) => [
    g.group,
    String(g.keys),
    String(g.hashed),
    formatBytes(g.memory.estimatedBytes),
    String(g.memory.sampled),
    formatTtl(g.ttl.minMs),
    formatTtl(g.ttl.maxMs),
    String(g.ttl.none),
    ...TTL_BUCKETS.map((b) => String(g.ttl.buckets[b.name])),
  ]);
  const header = [
    'group',
    'keys',
    'hashed',
    'memory~',
    'sampled',
    'min ttl',
    'max ttl',
    'no ttl',
    ...TTL_BUCKETS.map((b) => `ttl ${b.name}`),
  ];
  const right = new Set(header.map((_, i) => i).filter((i) => i > 0));
  return `${head.join('\n')}\n\n${table(header, rows, right)}`;
}

/**
 * `stats`: keys, sampled memory and TTL spread per namespace under the
 * prefix (tag versions as their own group), by SCAN on every master.
 */
export async function runStats(
  conn: Connection,
  out: Output,
  progress: Progress,
  options: StatsOptions,
): Promise<ExitCode> {
  const masters = conn.masters();
  const [sizes, infos] = await Promise.all([
    Promise.all(masters.map((n) => n.dbsize())),
    Promise.all(masters.map((n) => n.info('memory'))),
  ]);
  const scans: NodeScan[] = sizes.map((size) => ({
    size,
    calls: 0,
    done: false,
  }));
  const tally = new GroupTally(options.sample);
  const step = () =>
    progress.update(
      fractionDone(scans),
      `${tally.keys} key(s) under ${conn.prefix}`,
    );
  try {
    await Promise.all(
      masters.map((node, i) => scanInto(conn, node, tally, scans[i], step)),
    );
  } finally {
    progress.done();
  }
  const usedMemoryBytes = infos.reduce((a, i) => a + usedMemory(i), 0);
  const summary = tally.summary(options.top);
  const result = {
    prefix: conn.prefix,
    nodes: masters.length,
    usedMemoryBytes,
    ...summary,
  };
  out.result(result, () =>
    human(conn, summary, masters.length, usedMemoryBytes),
  );
  return EXIT.ok;
}
