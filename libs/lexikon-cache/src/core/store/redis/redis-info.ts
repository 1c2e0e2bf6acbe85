import type { Redis } from 'ioredis';
import type { CacheStoreInfo } from '../cache-store.js';

function fields(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of raw.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && line[0] !== '#')
      out.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return out;
}

function num(map: Map<string, string>, name: string): number {
  const v = Number(map.get(name));
  return Number.isFinite(v) ? v : 0;
}

function keyCount(map: Map<string, string>): number {
  let keys = 0;
  for (const [name, value] of map) {
    if (/^db\d+$/.test(name))
      keys += Number(/keys=(\d+)/.exec(value)?.[1] ?? 0);
  }
  return keys;
}

/** One field of an INFO (or CLUSTER INFO) reply. */
export function infoField(raw: string, name: string): string | undefined {
  return fields(raw).get(name);
}

/** Sums INFO of one server, or of every master of a cluster. */
export function parseInfo(
  raws: readonly string[],
  mode: CacheStoreInfo['mode'],
): CacheStoreInfo {
  const maps = raws.map(fields);
  const sum = (name: string) => maps.reduce((acc, m) => acc + num(m, name), 0);
  const usedMemory = sum('used_memory');
  return {
    kind: 'redis',
    mode,
    usedMemoryMb: Math.round((usedMemory / (1024 * 1024)) * 100) / 100,
    connectedClients: sum('connected_clients'),
    totalCommandsProcessed: sum('total_commands_processed'),
    keys: maps.reduce((acc, m) => acc + keyCount(m), 0),
    hits: sum('keyspace_hits'),
    misses: sum('keyspace_misses'),
    uptimeSeconds: maps.length
      ? Math.min(...maps.map((m) => num(m, 'uptime_in_seconds')))
      : 0,
    version: maps[0]?.get('redis_version'),
  };
}

/** INFO of every master (and, in a cluster, its state), as the store reports it. */
export async function readStoreInfo(
  masters: readonly Redis[],
  mode: CacheStoreInfo['mode'],
): Promise<CacheStoreInfo> {
  const raws = await Promise.all(masters.map((n) => n.info()));
  if (mode !== 'cluster') return parseInfo(raws, mode);
  const clusterInfo = (await masters[0]?.cluster('INFO')) as string | undefined;
  const state = /cluster_state:(\w+)/.exec(clusterInfo ?? '')?.[1];
  return { ...parseInfo(raws, 'cluster'), clusterState: state };
}
