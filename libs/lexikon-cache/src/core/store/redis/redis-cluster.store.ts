import type { Cluster, Redis } from 'ioredis';
import type {
  Lease,
  LeaseRequest,
  OutlivedEntry,
  ReadMiss,
  ReadOutcome,
} from '../cache-store.js';
import type { ScriptReply } from './batch-codec.js';
import { clusterKeptEntry, sha1 } from './cluster-kept.js';
import { parseEntry, stampEntry, UNTAGGED_HEADER } from './entry-header.js';
import { detailedOf, heldOf, outlivedOf } from './read-replies.js';
import { STAMP_FRESH, STAMP_GONE, stampState } from '../tag-stamps.js';
import { RedisStoreBase, type RedisStoreSettings } from './redis-store-base.js';
import {
  FILL_STAMPED,
  LEASE_IF_UNCHANGED,
  LEASE_STAMP,
  READ_CORRUPT_LEASED,
  READ_DETAILED,
  READ_HANDBACK,
  READ_LEASED,
  READ_OUTLIVED,
  READ_OUTLIVED_LEASED,
  TAG_CHECK,
  TAGS,
} from './scripts/index.js';

const NO_MISS: ReadMiss = {};
const NO_TAGS: readonly string[] = [];

/** Current versions as a lease stamps them. */
function joined(tags: readonly (string | null)[]): string {
  return tags
    .slice(1)
    .map((v) => v ?? '')
    .join('\n');
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

/**
 * The store on a Redis Cluster. Tag versions and their sequence share one
 * hash tag, so they live on one node, the one that owns every version; an
 * entry lives wherever its key hashes. A script cannot span both, so a read
 * sends the entry's script and, for tagged entries, the tags' read in
 * parallel; a fill asks the tags' node first, then fills under the lease.
 * A tag bumped between the two leaves an outdated stamp, which every read
 * rejects.
 */
export class RedisClusterStore extends RedisStoreBase {
  constructor(client: Cluster, settings: RedisStoreSettings) {
    super(client, 'cluster', settings);
  }

  protected masters(): Redis[] {
    return (this.client as Cluster).nodes('master');
  }

  /** `{since, versions...}` from the tags' node; with `createMs`, missing tags are created. */
  private async tags(
    tagKeys: readonly string[],
    createMs = 0,
  ): Promise<(string | null)[]> {
    return (await this.run(
      TAGS,
      [this.settings.sequenceKey, ...tagKeys],
      [createMs],
    )) as (string | null)[];
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
      ? this.plainFirst(key, () =>
          this.scriptRead(key, tagKeys, lease, true, false),
        )
      : this.scriptRead(key, tagKeys, lease, false, detail, graceMs);
  }

  private async scriptRead(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    plainFirst: boolean,
    detail: boolean,
    graceMs = 0,
  ): Promise<ReadOutcome> {
    const needTags = tagKeys.length > 0 || (lease !== undefined && !plainFirst);
    const [reply, tags] = await Promise.all([
      this.readScript(key, lease, NO_TAGS, 'c', detail, graceMs),
      needTags ? this.tags(tagKeys) : undefined,
    ]);
    if (typeof reply === 'string') return reply;
    const r = reply as ScriptReply[];
    const code = r[0];
    if (code === READ_DETAILED) return detailedOf(r);
    if (code === READ_OUTLIVED) return { outlived: outlivedOf(r) };
    if (code === READ_OUTLIVED_LEASED && lease) {
      const outlived = outlivedOf(r);
      return { outlived, lease: await this.leaseOf(key, lease, tagKeys, tags) };
    }
    if (code === READ_HANDBACK) {
      const hit = await this.checkHandedBack(
        key,
        String(r[1]),
        tagKeys,
        tags,
        lease,
        graceMs,
        Number(r[2]),
      );
      if (detail && typeof hit === 'string') {
        const entry = parseEntry(String(r[1]));
        return {
          payload: hit,
          ttlMs: Number(r[2]),
          tagKeys: entry?.tagKeys ?? [],
        };
      }
      return hit;
    }
    this.corrupt(code, key);
    if (lease && (code === READ_LEASED || code === READ_CORRUPT_LEASED)) {
      return { lease: await this.leaseOf(key, lease, tagKeys, tags) };
    }
    const holder = this.holderOf(r);
    if (holder === undefined) return NO_MISS;
    const stamped = typeof r[2] === 'string' ? r[2] : '';
    if (lease && tags && stamped !== '' && stamped !== joined(tags)) {
      // the holder's lease predates a bump of one of its tags: take it over
      const kept = typeof r[3] === 'string' ? `\0${r[3]}` : '';
      const lv = `L${holder}\n${stamped}${kept}`;
      const taken = await this.takeOver(key, lv, lease);
      if (taken)
        return { lease: await this.leaseOf(key, lease, tagKeys, tags) };
    }
    return heldOf(r, tagKeys, tags && joined(tags));
  }

  /** Replaces `value` (a stale entry or lease) by a lease of ours, unless it changed. */
  private async takeOver(
    key: string,
    value: string,
    lease: LeaseRequest,
    keep = false,
  ): Promise<boolean> {
    const reply = await this.run(
      LEASE_IF_UNCHANGED,
      [key],
      [sha1(value), lease.token, lease.ms, keep ? '1' : '0'],
    );
    return reply === 1;
  }

  /**
   * A granted lease with the versions it stamps, missing tags created now.
   * The versions are recorded in the lease too (a lease without versions is
   * trusted), so that a reader after a bump of one of its tags takes it
   * over instead of waiting for a stale load.
   */
  private async leaseOf(
    key: string,
    lease: LeaseRequest,
    tagKeys: readonly string[],
    tags: (string | null)[] | undefined,
  ): Promise<Lease> {
    let known = tags ?? [''];
    if (known.slice(1).some((v) => v === null)) {
      known = await this.tags(tagKeys, lease.ms);
    }
    const versions = known.slice(1) as string[];
    if (versions.length) {
      await this.run(LEASE_STAMP, [key], [lease.token, versions.join('\n')]);
    }
    return { token: lease.token, since: known[0] ?? '', versions };
  }

  private async checkHandedBack(
    key: string,
    value: string,
    tagKeys: readonly string[],
    tags: (string | null)[] | undefined,
    lease: LeaseRequest | undefined,
    graceMs: number,
    /** The entry's time left. */
    leftMs: number,
  ): Promise<ReadOutcome> {
    const entry = parseEntry(value);
    let outlived: OutlivedEntry | undefined;
    if (entry === undefined) {
      await this.client.del(key);
      this.settings.onCorrupt(key);
    } else {
      const current =
        tags && sameKeys(entry.tagKeys, tagKeys)
          ? tags.slice(1)
          : await this.client.mget(...entry.tagKeys);
      const state = stampState(entry.versions, current);
      if (state === STAMP_FRESH && !(graceMs > 0 && leftMs <= graceMs))
        return entry.payload;
      // past its TTL, or behind a soft invalidation: outlived, within grace
      if (state !== STAMP_GONE && graceMs > 0) {
        outlived = { payload: entry.payload, ttlMs: Math.min(leftMs, graceMs) };
        if (!lease) return { outlived };
      }
    }
    if (!lease || !(await this.takeOver(key, value, lease, !!outlived)))
      return NO_MISS;
    const granted = await this.leaseOf(key, lease, tagKeys, tags);
    return outlived ? { outlived, lease: granted } : { lease: granted };
  }

  keptEntry(key: string, token: string, putBackMs: number): Promise<boolean> {
    return clusterKeptEntry(
      {
        run: (script, keys, args) => this.run(script, keys, args),
        tagVersions: (tagKeys) => this.client.mget(...tagKeys),
        release: (k, t) => this.release(k, t),
      },
      key,
      token,
      putBackMs,
    );
  }

  async fill(
    key: string,
    lease: Lease,
    tagKeys: readonly string[],
    lateTagKeys: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean> {
    let stamped = UNTAGGED_HEADER + payload;
    if (tagKeys.length + lateTagKeys.length > 0) {
      const check = (await this.run(
        TAG_CHECK,
        [this.settings.sequenceKey, ...tagKeys, ...lateTagKeys],
        [lease.since, ttlMs, tagKeys.length, ...lease.versions],
      )) as (number | string)[];
      if (check[0] !== 1) {
        await this.release(key, lease.token);
        return false;
      }
      stamped = stampEntry(
        [...tagKeys, ...lateTagKeys],
        check.slice(1) as string[],
        payload,
      );
    }
    const reply = await this.run(
      FILL_STAMPED,
      [key],
      [lease.token, ttlMs, stamped],
    );
    return reply === 1;
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
    const versions = (await this.tags(tagKeys, ttlMs)).slice(1) as string[];
    await this.client.set(
      key,
      stampEntry(tagKeys, versions, payload),
      'PX',
      ttlMs,
    );
  }

  async readMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    return Promise.all(
      keys.map(async (k) => {
        const r = await this.read(k, NO_TAGS, undefined);
        return typeof r === 'string' ? r : undefined;
      }),
    );
  }
}
