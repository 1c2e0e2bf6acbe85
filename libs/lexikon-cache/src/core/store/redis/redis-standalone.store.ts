import type { Redis } from 'ioredis';
import type {
  Lease,
  LeaseRequest,
  ReadMiss,
  ReadOutcome,
} from '../cache-store.js';
import type { ScriptReply } from './batch-codec.js';
import { UNTAGGED_HEADER } from './entry-header.js';
import { detailedOf, heldOf, outlivedOf } from './read-replies.js';
import { RedisStoreBase, type RedisStoreSettings } from './redis-store-base.js';
import {
  FILL,
  KEPT,
  READ_CORRUPT_LEASED,
  READ_DETAILED,
  READ_LEASED,
  READ_OUTLIVED,
  READ_OUTLIVED_LEASED,
  READ_MANY,
  WRITE_TAGGED,
} from './scripts/index.js';

const NO_MISS: ReadMiss = {};

/**
 * The store on one Redis server (standalone or behind Sentinel). Entry,
 * tags and the tag sequence live on the same server, so every protocol step
 * is one script: a read (tags checked, lease taken) is one EVALSHA.
 */
export class RedisStandaloneStore extends RedisStoreBase {
  private readonly sequenceKeys: readonly string[];

  constructor(
    client: Redis,
    mode: 'standalone' | 'sentinel',
    settings: RedisStoreSettings,
  ) {
    super(client, mode, settings);
    this.sequenceKeys = [settings.sequenceKey];
  }

  protected masters(): Redis[] {
    return [this.client as Redis];
  }

  read(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    plainFirst = false,
    detail = false,
    graceMs = 0,
  ): Promise<ReadOutcome> {
    return plainFirst && !detail && graceMs === 0
      ? this.plainFirst(key, () => this.scriptRead(key, tagKeys, lease, false))
      : this.scriptRead(key, tagKeys, lease, detail, graceMs);
  }

  private async scriptRead(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    detail: boolean,
    graceMs = 0,
  ): Promise<ReadOutcome> {
    const extra = tagKeys.length
      ? [this.settings.sequenceKey, ...tagKeys]
      : this.sequenceKeys;
    const reply = await this.readScript(
      key,
      lease,
      extra,
      's',
      detail,
      graceMs,
    );
    if (typeof reply === 'string') return reply;
    const r = reply as ScriptReply[];
    if (r[0] === READ_DETAILED) return detailedOf(r);
    if (r[0] === READ_OUTLIVED) return { outlived: outlivedOf(r) };
    return this.toMiss(key, r, lease, tagKeys);
  }

  private toMiss(
    key: string,
    reply: ScriptReply[],
    lease: LeaseRequest | undefined,
    tagKeys: readonly string[],
  ): ReadMiss {
    const code = reply[0];
    this.corrupt(code, key);
    if (lease && code === READ_OUTLIVED_LEASED) {
      return {
        outlived: outlivedOf(reply),
        lease: {
          token: lease.token,
          since: String(reply[3]),
          versions: reply.slice(4) as string[],
        },
      };
    }
    if (lease && (code === READ_LEASED || code === READ_CORRUPT_LEASED)) {
      return {
        lease: {
          token: lease.token,
          since: String(reply[1]),
          versions: reply.slice(2) as string[],
        },
      };
    }
    if (this.holderOf(reply) === undefined) return NO_MISS;
    // the script answers a holder only while the lease's versions are current
    return heldOf(reply, tagKeys, String(reply[2]));
  }

  async keptEntry(
    key: string,
    token: string,
    putBackMs: number,
  ): Promise<boolean> {
    return (await this.run(KEPT, [key], [token, putBackMs, 's'])) === 1;
  }

  async fill(
    key: string,
    lease: Lease,
    tagKeys: readonly string[],
    lateTagKeys: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean> {
    const keys = [key, this.settings.sequenceKey, ...tagKeys, ...lateTagKeys];
    const args: (string | number)[] = [
      lease.token,
      ttlMs,
      payload,
      tagKeys.length,
      lease.since,
      ...lease.versions,
    ];
    return (await this.run(FILL, keys, args)) === 1;
  }

  async write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void> {
    if (tagKeys.length === 0) {
      await this.client.set(key, UNTAGGED_HEADER + payload, 'PX', ttlMs);
      return;
    }
    await this.run(
      WRITE_TAGGED,
      [key, this.settings.sequenceKey, ...tagKeys],
      [ttlMs, payload],
    );
  }

  async readMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    const reply = (await this.run(READ_MANY, keys, [])) as (string | null)[];
    return reply.map((v) => v ?? undefined);
  }
}
