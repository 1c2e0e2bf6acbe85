import { randomBytes } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import {
  CacheWrongTypeError,
  CrossSlotBatchError,
} from '../../errors/lexikon-cache.error.js';
import {
  CacheStore,
  type CacheStoreInfo,
  type ReadMiss,
  type ReadOutcome,
  type StoreBatchOp,
  type StoreBatchReply,
  type StoreHealth,
  type StoreHealthOptions,
} from '../cache-store.js';
import { parseEntry, stampEntry, UNTAGGED_HEADER } from './entry-header.js';
import {
  ALL_SCRIPTS,
  BATCH,
  BUMP,
  FILL,
  INCREMENT,
  type LuaScript,
  READ,
  READ_MANY,
  RELEASE,
  WRITE_MANY,
  WRITE_TAGGED,
} from './lua-scripts.js';
import { notConnectedMessage, probeRedis } from './redis-health.js';
import { parseInfo } from './redis-info.js';

type RedisMode = 'standalone' | 'sentinel' | 'cluster';
type ScriptReply = string | number | null | ScriptReply[];

const SCAN_BATCH = 1000;
const NO_TAGS: readonly string[] = [];

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

function isWrongType(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.message.includes('not an integer') ||
      err.message.startsWith('WRONGTYPE'))
  );
}

/** A version made on the client, in the scripts' format: `<s>.<us>.<kind><seed>`. */
function clientVersion(kind: 'c' | 'l', seed: string): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${(ms % 1000) * 1000}.${kind}${seed}`;
}

function versionMicros(version: string): number {
  const m = /^(\d+)\.(\d+)\./.exec(version);
  return m ? Number(m[1]) * 1e6 + Number(m[2]) : 0;
}

/** Whether a tag was bumped (not merely created) at or after `sinceMicros`. */
function isBumpAfter(
  version: string | undefined,
  sinceMicros: number,
): boolean {
  return (
    version !== undefined &&
    /^\d+\.\d+\.b/.test(version) &&
    versionMicros(version) >= sinceMicros
  );
}

function toMiss(reply: ScriptReply[]): ReadMiss {
  const code = reply[0];
  const token = typeof reply[1] === 'string' ? reply[1] : '';
  const versions = reply.length > 2 ? (reply.slice(2) as string[]) : NO_TAGS;
  if ((code === 1 || code === 3) && token) return { lease: token, versions };
  if (code === 2) return { holder: token, versions };
  return { versions };
}

/**
 * The Redis store. On a standalone or sentinel-managed server every read is a
 * single EVALSHA: entry, tag stamp check and lease together. In a cluster the
 * tag versions live in their own slot, so a tagged read also sends an MGET to
 * that slot, in parallel.
 */
export class RedisCacheStore extends CacheStore {
  readonly kind = 'redis' as const;
  private readonly cluster: boolean;
  private readonly seedPrefix = randomBytes(6).toString('base64url') + '.';
  private seq = 0;
  private readonly tagTtl: string;
  /** The last connection fault since the client was last ready, for health(). */
  private connectionError: Error | undefined;
  private closing = false;

  constructor(
    private readonly client: Redis | Cluster,
    readonly mode: RedisMode,
    tagTtlSeconds: number,
    private readonly onCorrupt: (key: string) => void,
  ) {
    super();
    this.cluster = mode === 'cluster';
    this.tagTtl = String(tagTtlSeconds);
    client.on('ready', this.onReady);
    client.on('error', this.onError);
    if (this.cluster) client.on('node error', this.onError);
    if (client.status === 'ready') this.onReady();
  }

  private scriptsLoaded: Promise<void> = Promise.resolve();
  private readonly onReady = () => {
    this.connectionError = undefined;
    void this.loadScripts();
  };
  // also keeps ioredis from printing every failed reconnect to the console
  private readonly onError = (err: Error) => {
    this.connectionError = err;
  };

  private lastLeaseMs = -1;
  private lastLeaseArg = '0';

  private leaseArg(leaseMs: number): string {
    if (leaseMs !== this.lastLeaseMs) {
      this.lastLeaseMs = leaseMs;
      this.lastLeaseArg = leaseMs > 0 ? String(leaseMs) : '0';
    }
    return this.lastLeaseArg;
  }

  private nextSeed(): string {
    return this.seedPrefix + (++this.seq).toString(36) + '.';
  }

  /** Loads every script at once on each (re)connection; a miss still falls back to EVAL. */
  private loadScripts(): Promise<void> {
    // in a cluster, EVAL on NOSCRIPT caches them per node; after QUIT, a
    // command would get no reply (and ioredis would keep its socket timer)
    if (this.cluster || this.closing) return Promise.resolve();
    const client = this.client as Redis;
    this.scriptsLoaded = Promise.all(
      ALL_SCRIPTS.map((s) => client.script('LOAD', s.lua)),
    ).then(
      () => undefined,
      () => undefined,
    );
    return this.scriptsLoaded;
  }

  private async run(
    script: LuaScript,
    keys: readonly string[],
    args: readonly string[],
  ) {
    try {
      return (await this.client.evalsha(
        script.sha,
        keys.length,
        ...keys,
        ...args,
      )) as ScriptReply;
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return (await this.client.eval(
        script.lua,
        keys.length,
        ...keys,
        ...args,
      )) as ScriptReply;
    }
  }

  /**
   * With `plainFirst`, a plain GET comes first: an untagged entry is then a
   * hit at the cost of a GET (no script). Anything else (a miss, a lease, a
   * tagged entry) goes on to the script, which takes the lease or checks the
   * tags, at the price of a second round trip on those reads only.
   */
  async read(
    key: string,
    tagKeys: readonly string[],
    leaseMs: number,
    plainFirst = false,
  ): Promise<ReadOutcome> {
    if (plainFirst) {
      const value = await this.client.get(key);
      if (value !== null && value.startsWith(UNTAGGED_HEADER)) {
        return value.slice(UNTAGGED_HEADER.length);
      }
    }
    if (this.cluster) return this.readInCluster(key, tagKeys, leaseMs);
    // the hit path: a short command, no per-call strings (the script makes
    // tokens unique with the server time)
    const reply = await this.run(
      READ,
      tagKeys.length ? [key, ...tagKeys] : [key],
      tagKeys.length
        ? [this.leaseArg(leaseMs), this.seedPrefix, '1', this.tagTtl]
        : [this.leaseArg(leaseMs), this.seedPrefix],
    );
    if (typeof reply === 'string') return reply;
    const arr = reply as ScriptReply[];
    if (arr[0] === 3) this.onCorrupt(key);
    return toMiss(arr);
  }

  private async readInCluster(
    key: string,
    tagKeys: readonly string[],
    leaseMs: number,
  ): Promise<ReadOutcome> {
    const [reply, versions] = await Promise.all([
      this.run(READ, [key], [this.leaseArg(leaseMs), this.seedPrefix, '0']),
      tagKeys.length ? this.tagVersions(tagKeys) : NO_TAGS,
    ]);
    if (typeof reply === 'string') return reply;
    const arr = reply as ScriptReply[];
    if (arr[0] === 4) {
      const entry = parseEntry(arr[1] as string);
      if (!entry) {
        await this.client.del(key);
        this.onCorrupt(key);
      } else if (
        await this.stampIsCurrent(
          entry.tagKeys,
          entry.versions,
          tagKeys,
          versions,
        )
      ) {
        return entry.payload;
      }
      if (leaseMs <= 0) return { versions };
      // stale: replace the entry with a lease of our own
      const lease = clientVersion('l', this.nextSeed());
      await this.client.set(
        key,
        `L${lease}\n${versions.join('\n')}`,
        'PX',
        leaseMs,
      );
      return { lease, versions };
    }
    if (arr[0] === 3) this.onCorrupt(key);
    const miss = toMiss(arr);
    return { ...miss, versions };
  }

  private async stampIsCurrent(
    stampedKeys: readonly string[],
    stamped: readonly string[],
    knownKeys: readonly string[],
    known: readonly string[],
  ): Promise<boolean> {
    const same =
      stampedKeys.length === knownKeys.length &&
      stampedKeys.every((k, i) => k === knownKeys[i]);
    const current = same ? known : await this.client.mget(...stampedKeys);
    return stamped.every((v, i) => current[i] === v);
  }

  /** Current versions of tags, creating absent ones so that no stamp is ever "absent". */
  private async tagVersions(
    tagKeys: readonly string[],
  ): Promise<readonly string[]> {
    const current = await this.client.mget(...tagKeys);
    if (current.every((v) => v !== null)) return current as string[];
    const out: string[] = [];
    for (let i = 0; i < tagKeys.length; i++) {
      let v = current[i];
      if (v === null) {
        const fresh = clientVersion('c', this.nextSeed());
        const created = await this.client.set(
          tagKeys[i],
          fresh,
          'EX',
          Number(this.tagTtl),
          'NX',
        );
        v = created === 'OK' ? fresh : await this.client.get(tagKeys[i]);
      }
      out.push(v ?? '');
    }
    return out;
  }

  async fill(
    key: string,
    tagKeys: readonly string[],
    lease: string,
    versions: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean> {
    if (this.cluster)
      return this.fillInCluster(key, tagKeys, lease, versions, payload, ttlMs);
    const args = [
      lease,
      String(ttlMs),
      payload,
      '1',
      this.nextSeed(),
      this.tagTtl,
    ];
    const reply = await this.run(
      FILL,
      tagKeys.length ? [key, ...tagKeys] : [key],
      [...args, ...versions],
    );
    return reply === 1;
  }

  /**
   * In a cluster the tag versions live in another slot than the entry: they
   * are checked here first. A tag bumped between this check and the fill
   * leaves an outdated stamp, which every read then rejects.
   */
  private async fillInCluster(
    key: string,
    tagKeys: readonly string[],
    lease: string,
    versions: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean> {
    let stamp = versions;
    if (tagKeys.length) {
      const current = await this.tagVersions(tagKeys);
      const leasedAt = versionMicros(lease);
      for (let i = 0; i < tagKeys.length; i++) {
        const known = versions[i];
        const late = known === '' || known === undefined;
        if (late ? isBumpAfter(current[i], leasedAt) : current[i] !== known)
          return false;
      }
      stamp = current;
    }
    const reply = await this.run(
      FILL,
      [key],
      [lease, String(ttlMs), stampEntry(tagKeys, stamp, payload), '0'],
    );
    return reply === 1;
  }

  async release(key: string, lease: string): Promise<void> {
    await this.run(RELEASE, [key], [lease]);
  }

  async write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void> {
    if (tagKeys.length === 0) {
      await this.client.set(key, UNTAGGED_HEADER + payload, 'PX', ttlMs);
    } else if (this.cluster) {
      const versions = await this.tagVersions(tagKeys);
      await this.client.set(
        key,
        stampEntry(tagKeys, versions, payload),
        'PX',
        ttlMs,
      );
    } else {
      await this.run(
        WRITE_TAGGED,
        [key, ...tagKeys],
        [String(ttlMs), payload, this.nextSeed(), this.tagTtl],
      );
    }
  }

  async readMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    if (keys.length === 0) return [];
    if (this.cluster)
      return Promise.all(keys.map(async (k) => this.peekInCluster(k)));
    const reply = (await this.run(READ_MANY, keys, NO_TAGS)) as (
      string | null
    )[];
    return reply.map((v) => v ?? undefined);
  }

  private async peekInCluster(key: string): Promise<string | undefined> {
    const r = await this.readInCluster(key, NO_TAGS, 0);
    return typeof r === 'string' ? r : undefined;
  }

  async writeMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void> {
    if (entries.length === 0) return;
    const ttl = String(ttlMs);
    if (this.cluster) {
      await Promise.all(
        entries.map(([k, payload]) =>
          this.client.set(k, UNTAGGED_HEADER + payload, 'PX', ttl),
        ),
      );
      return;
    }
    await this.run(
      WRITE_MANY,
      entries.map(([k]) => k),
      [ttl, ...entries.map(([, payload]) => payload)],
    );
  }

  async delete(keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (this.cluster || keys.length === 1) {
      const counts = await Promise.all(keys.map((k) => this.client.unlink(k)));
      return counts.reduce((a, b) => a + b, 0);
    }
    return this.client.unlink(...keys);
  }

  async bumpTags(tagKeys: readonly string[]): Promise<void> {
    if (tagKeys.length === 0) return;
    // all tag keys share the {tags} hash tag: one script serves standalone and cluster
    await this.run(BUMP, tagKeys, [this.nextSeed(), this.tagTtl]);
  }

  async deleteMatching(glob: string): Promise<number> {
    const nodes = this.cluster
      ? (this.client as Cluster).nodes('master')
      : [this.client as Redis];
    const counts = await Promise.all(
      nodes.map((node) => this.scanDelete(node, glob)),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  private async scanDelete(node: Redis, glob: string): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, keys] = await node.scan(
        cursor,
        'MATCH',
        glob,
        'COUNT',
        SCAN_BATCH,
      );
      cursor = next;
      if (keys.length === 0) continue;
      if (this.cluster) {
        // keys of one node may still span slots: one UNLINK each, pipelined
        const p = node.pipeline();
        for (const k of keys) p.unlink(k);
        const results = (await p.exec()) ?? [];
        for (const [err, n] of results) if (!err) deleted += Number(n);
      } else {
        deleted += await node.unlink(...keys);
      }
    } while (cursor !== '0');
    return deleted;
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    try {
      return Number(
        await this.run(INCREMENT, [key], [String(by), String(ttlMs)]),
      );
    } catch (err) {
      if (isWrongType(err)) throw CacheWrongTypeError.create('increment', key);
      throw err;
    }
  }

  async batch(ops: readonly StoreBatchOp[]): Promise<StoreBatchReply[]> {
    if (ops.length === 0) return [];
    const keys: string[] = [];
    const args: string[] = [];
    for (const op of ops) {
      keys.push(op.key);
      switch (op.op) {
        case 'get':
          args.push('g');
          break;
        case 'exists':
          args.push('x');
          break;
        case 'delete':
          args.push('d');
          break;
        case 'set':
          args.push('s', String(op.ttlMs), op.payload);
          break;
        case 'increment':
          args.push('i', String(op.by), String(op.ttlMs));
          break;
        case 'expire':
          args.push('e', String(op.ttlMs));
          break;
      }
    }
    let reply: ScriptReply;
    try {
      reply = await this.run(BATCH, keys, args);
    } catch (err) {
      // the server says CROSSSLOT; ioredis's auto-pipelining refuses before sending
      if (err instanceof Error && /CROSSSLOT|same slot/.test(err.message)) {
        throw CrossSlotBatchError.create();
      }
      throw err;
    }
    return (reply as ScriptReply[][]).map((r, i): StoreBatchReply => {
      const op = ops[i];
      if (r[0] !== 1) {
        const message = String(r[1]);
        return {
          ok: false,
          error: isWrongType(new Error(message))
            ? CacheWrongTypeError.create(op.op, op.key)
            : new Error(message),
        };
      }
      const v = r[1];
      switch (op.op) {
        case 'get':
          return { ok: true, value: typeof v === 'string' ? v : undefined };
        case 'exists':
        case 'expire':
        case 'set':
          return { ok: true, value: v === 1 };
        default:
          return { ok: true, value: Number(v) };
      }
    });
  }

  async ping(): Promise<void> {
    if (this.cluster) {
      await Promise.all(
        (this.client as Cluster).nodes('master').map((n) => n.ping()),
      );
      return;
    }
    await (this.client as Redis).ping();
  }

  async info(): Promise<CacheStoreInfo> {
    if (!this.cluster) {
      const raw = await (this.client as Redis).info();
      return parseInfo([raw], this.mode);
    }
    const masters = (this.client as Cluster).nodes('master');
    const raws = await Promise.all(masters.map((n) => n.info()));
    const clusterInfo = (await masters[0]?.cluster('INFO')) as
      string | undefined;
    const state = /cluster_state:(\w+)/.exec(clusterInfo ?? '')?.[1];
    return { ...parseInfo(raws, 'cluster'), clusterState: state };
  }

  /** Answers at once when the client is not connected; sends nothing then. */
  async health(options: StoreHealthOptions): Promise<StoreHealth> {
    const status = this.client.status;
    // 'wait': a lazy client (given by the application) connects on its first command
    if (status !== 'ready' && !(status === 'wait' && !this.cluster)) {
      return {
        ok: false,
        message: notConnectedMessage(status, this.connectionError),
      };
    }
    const masters = this.cluster
      ? (this.client as Cluster).nodes('master')
      : [this.client as Redis];
    return probeRedis(masters, this.cluster, options);
  }

  async waitUntilReady(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') {
      await this.scriptsLoaded;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => void this.scriptsLoaded.then(() => done(true));
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.on('ready', onReady);
    });
  }

  async close(options?: { keepConnection?: boolean }): Promise<void> {
    this.closing = true;
    this.client.off('ready', this.onReady);
    this.client.off('error', this.onError);
    this.client.off('node error', this.onError);
    if (options?.keepConnection) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
