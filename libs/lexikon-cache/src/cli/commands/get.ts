import { fullKey, isReservedKey } from '../../core/keys/cache-keys.js';
import { CliError, EXIT, type ExitCode } from '../cli-error.js';
import type { Connection } from '../connection.js';
import { nameOf } from '../key-names.js';
import { formatBytes, formatTtl, type Output } from '../output.js';
import { inflateStored } from '../compressed-payload.js';
import { readStoredValue, type StoredValue } from '../stored-value.js';
import { STAMP_SOFT, stampState } from '../../core/store/tag-stamps.js';

/** A stamped tag, compared with the tag's current version. */
export interface TagState {
  readonly tag: string;
  readonly tagKey: string;
  readonly hashed: boolean;
  readonly stamped: string;
  /** null when the tag key is gone (the store recreates it on the next read). */
  readonly current: string | null;
  readonly isCurrent: boolean;
}

function reply(replies: [Error | null, unknown][] | null, i: number): unknown {
  const r = replies?.[i];
  if (!r) return undefined;
  if (r[0]) throw r[0];
  return r[1];
}

async function tagStates(
  conn: Connection,
  value: StoredValue,
): Promise<TagState[] | undefined> {
  if (value.kind !== 'entry') return undefined;
  if (value.tags.length === 0) return [];
  // tag versions share one hash tag: one MGET, in a cluster too
  const current = await conn.client.mget(...value.tags.map((t) => t.tagKey));
  return value.tags.map((t, i) => {
    const name = nameOf(conn.prefix, t.tagKey);
    return {
      tag: name.tag ?? name.key,
      tagKey: t.tagKey,
      hashed: name.hashed,
      stamped: t.version,
      current: current[i],
      isCurrent: current[i] === t.version,
    };
  });
}

function describeTags(tags: readonly TagState[]): string[] {
  const names = tags.map((t) => `${t.tag}${t.hashed ? ' (hashed)' : ''}`);
  const width = Math.max(...names.map((n) => n.length));
  return tags.map((t, i) => {
    const state = t.isCurrent
      ? `current (${t.stamped})`
      : `outdated: stamped ${t.stamped}, now ${t.current ?? 'gone'}`;
    return `  ${names[i].padEnd(width)}  ${state}`;
  });
}

/** Whether the tags that moved on did so by soft invalidations only. */
function softly(tags: readonly TagState[] | undefined): boolean {
  if (!tags) return false;
  const current = tags.map((t) => t.current);
  return (
    stampState(
      tags.map((t) => t.stamped),
      current,
    ) === STAMP_SOFT
  );
}

interface GetResult {
  readonly key: string;
  readonly fullKey: string;
  readonly hashed: boolean;
  readonly found: boolean;
  readonly ttlMs?: number;
  readonly bytes?: number;
  readonly memoryBytes?: number | null;
  readonly fresh?: boolean;
  readonly tags?: TagState[];
  /** How the payload is compressed in Redis, when it is. */
  readonly compression?: string;
}

function human(r: GetResult, v: StoredValue | undefined): string {
  const lines = [
    `key:      ${r.key}`,
    `full key: ${r.fullKey}${r.hashed ? ' (hashed: the key is over 256 bytes)' : ''}`,
  ];
  if (!v) return [...lines, 'not found'].join('\n');
  const kind =
    v.kind === 'entry'
      ? `entry${v.format === 'http' ? ' (HTTP response)' : ''}, ${r.fresh ? 'fresh' : softly(r.tags) ? 'outdated by a soft invalidation: reloaded on its next read, served only within its grace' : 'stale: a tag moved on, the library reads it as a miss'}`
      : v.kind;
  lines.push(
    `kind:     ${kind}`,
    `ttl:      ${formatTtl(r.ttlMs)}`,
    `size:     ${formatBytes(r.bytes)} stored, ${formatBytes(r.memoryBytes)} in memory`,
  );
  if (r.compression) lines.push(`stored:   ${r.compression}`);
  if (v.kind === 'lease') {
    lines.push(`token:    ${v.token}  (a loader is filling this key)`);
    if (v.versions.length) lines.push(`stamped:  ${v.versions.join(', ')}`);
  } else if (v.kind === 'counter') {
    lines.push(`value:    ${v.value}`);
  } else if (v.kind === 'corrupt') {
    lines.push(
      `corrupt:  ${v.reason} (the library deletes it on its next read)`,
    );
  } else {
    if (r.tags?.length) lines.push('tags:', ...describeTags(r.tags));
    if (v.http) lines.push(`etag:     ${v.http.etag}`);
    lines.push('value:', JSON.stringify(v.value, null, 2));
  }
  return lines.join('\n');
}

/** The `--json` document: the facts, then what the stored value is. */
function jsonOf(r: GetResult, v: StoredValue): Record<string, unknown> {
  switch (v.kind) {
    case 'entry': {
      const { kind, format, value, http, payloadBytes } = v;
      return { ...r, kind, format, payloadBytes, ...(http && { http }), value };
    }
    case 'lease':
    case 'counter':
    case 'corrupt':
      return { ...r, ...v };
  }
}

/** `get <key>`: the stored value decoded, its TTL, tags and size. 1 when absent. */
export async function runGet(
  conn: Connection,
  out: Output,
  key: string,
): Promise<ExitCode> {
  if (key === '' || isReservedKey(key)) {
    throw CliError.usage(
      'a key must be non-empty and must not start with "{tags}" (reserved for tag versions)',
    );
  }
  const full = fullKey(conn.prefix, key);
  const replies = await conn.client
    .multi()
    .get(full)
    .pttl(full)
    .strlen(full)
    .memory('USAGE', full)
    .exec();
  const raw = reply(replies, 0);
  const base = { key, fullKey: full, hashed: nameOf(conn.prefix, full).hashed };
  if (typeof raw !== 'string') {
    const r: GetResult = { ...base, found: false };
    out.result(r, () => human(r, undefined));
    return EXIT.notFound;
  }
  const inflated = await inflateStored(conn.client, conn.prefix, full, raw);
  const value: StoredValue =
    'unreadable' in inflated
      ? { kind: 'corrupt', reason: inflated.unreadable }
      : readStoredValue(inflated.raw);
  const tags = await tagStates(conn, value);
  const memory = reply(replies, 3);
  const r: GetResult = {
    ...base,
    found: true,
    ttlMs: Number(reply(replies, 1)),
    bytes: Number(reply(replies, 2)),
    memoryBytes: memory === null ? null : Number(memory),
    ...(tags ? { tags, fresh: tags.every((t) => t.isCurrent) } : {}),
    ...('compression' in inflated && inflated.compression
      ? { compression: inflated.compression }
      : {}),
  };
  out.result(jsonOf(r, value), () => human(r, value));
  return EXIT.ok;
}
