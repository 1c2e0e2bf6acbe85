import type {
  CacheStore,
  CacheStoreInfo,
  Lease,
  LeaseRequest,
  ReadMiss,
  ReadOutcome,
  StoreBatchOp,
  StoreBatchReply,
  StoreHealth,
  StoreHealthOptions,
} from '../cache-store.js';
import {
  UNREADABLE,
  type PayloadCompression,
  type Unpacked,
} from './payload-compression.js';

type Outcome = ReadOutcome | typeof UNREADABLE;

/**
 * The Redis store with payloads compressed on the way in and read back on
 * the way out, below the in-process tier (which keeps them plain). A hit
 * costs no round trip more; an entry naming a dictionary no instance shares
 * any more is deleted and read again: a miss that reloads.
 */
export class CompressingStore implements CacheStore {
  readonly kind: CacheStore['kind'];
  readonly mode: CacheStore['mode'];

  constructor(
    private readonly inner: CacheStore,
    private readonly codec: PayloadCompression,
  ) {
    this.kind = inner.kind;
    this.mode = inner.mode;
    if (inner.isReady) this.isReady = () => inner.isReady?.() ?? false;
  }

  readonly isReady?: () => boolean;

  read(
    key: string,
    tagKeys: readonly string[],
    lease: LeaseRequest | undefined,
    plainFirst?: boolean,
    detail?: boolean,
    graceMs?: number,
  ): Promise<ReadOutcome> {
    const again = () =>
      this.inner.read(key, tagKeys, lease, plainFirst, detail, graceMs);
    return again().then((o) => {
      const out = this.unpackOutcome(key, o);
      if (out instanceof Promise)
        return out.then((r) => this.settle(key, r, again));
      return this.settle(key, out, again);
    });
  }

  private settle(
    key: string,
    out: Outcome,
    again: () => Promise<ReadOutcome>,
  ): ReadOutcome | Promise<ReadOutcome> {
    if (out !== UNREADABLE) return out;
    return this.inner.delete([key]).then(again);
  }

  private unpackOutcome(
    key: string,
    o: ReadOutcome,
  ): Outcome | Promise<Outcome> {
    if (typeof o === 'string') return this.codec.unpack(key, o);
    if ('payload' in o) {
      const p = this.codec.unpack(key, o.payload);
      if (typeof p === 'string')
        return p === o.payload ? o : { ...o, payload: p };
      return p === UNREADABLE
        ? p
        : p.then((v) => (v === UNREADABLE ? v : { ...o, payload: v }));
    }
    return this.unpackMiss(key, o);
  }

  private unpackMiss(key: string, o: ReadMiss): Outcome | Promise<Outcome> {
    const kept =
      o.kept === undefined ? undefined : this.codec.unpack(key, o.kept);
    const outlived =
      o.outlived === undefined
        ? undefined
        : this.codec.unpack(key, o.outlived.payload);
    if (
      (kept === undefined || kept === o.kept) &&
      (outlived === undefined || outlived === o.outlived?.payload)
    )
      return o;
    return Promise.all([
      Promise.resolve(kept),
      Promise.resolve(outlived),
    ] as const).then(([k, v]): ReadMiss => {
      const miss: { -readonly [K in keyof ReadMiss]: ReadMiss[K] } = { ...o };
      // an unreadable kept or outlived entry is one there is none of
      if (k === UNREADABLE) delete miss.kept;
      else if (typeof k === 'string') miss.kept = k;
      if (v === UNREADABLE) delete miss.outlived;
      else if (typeof v === 'string' && o.outlived)
        miss.outlived = { ...o.outlived, payload: v };
      return miss;
    });
  }

  keptEntry(key: string, token: string, putBackMs: number): Promise<boolean> {
    return this.inner.keptEntry(key, token, putBackMs);
  }

  async fill(
    key: string,
    lease: Lease,
    tagKeys: readonly string[],
    lateTagKeys: readonly string[],
    payload: string,
    ttlMs: number,
  ): Promise<boolean> {
    const ready = this.codec.ready([key]);
    if (ready) await ready;
    return this.inner.fill(
      key,
      lease,
      tagKeys,
      lateTagKeys,
      this.codec.pack(key, payload),
      ttlMs,
    );
  }

  release(key: string, token: string): Promise<void> {
    return this.inner.release(key, token);
  }

  extendLease(key: string, token: string, ms: number): Promise<boolean> {
    return this.inner.extendLease(key, token, ms);
  }

  async write(
    key: string,
    payload: string,
    ttlMs: number,
    tagKeys: readonly string[],
  ): Promise<void> {
    const ready = this.codec.ready([key]);
    if (ready) await ready;
    return this.inner.write(key, this.codec.pack(key, payload), ttlMs, tagKeys);
  }

  async readMany(keys: readonly string[]): Promise<(string | undefined)[]> {
    const raw = await this.inner.readMany(keys);
    return Promise.all(
      raw.map((p, i) =>
        Promise.resolve(p === undefined ? p : this.readable(keys[i], p)),
      ),
    );
  }

  private readable(
    key: string,
    payload: string,
  ): string | undefined | Promise<string | undefined> {
    const p = this.codec.unpack(key, payload);
    if (typeof p === 'string') return p;
    if (p === UNREADABLE) return undefined;
    return p.then(missing);
  }

  async writeMany(
    entries: readonly (readonly [string, string])[],
    ttlMs: number,
  ): Promise<void> {
    const ready = this.codec.ready(entries.map(([k]) => k));
    if (ready) await ready;
    return this.inner.writeMany(
      entries.map(([k, p]) => [k, this.codec.pack(k, p)] as const),
      ttlMs,
    );
  }

  delete(keys: readonly string[]): Promise<number> {
    return this.inner.delete(keys);
  }

  bumpTags(
    tagKeys: readonly string[],
    softTagKeys?: readonly string[],
  ): Promise<void> {
    return this.inner.bumpTags(tagKeys, softTagKeys);
  }

  deleteMatching(glob: string, progress?: () => void): Promise<number> {
    return this.inner.deleteMatching(glob, progress);
  }

  increment(key: string, by: number, ttlMs: number): Promise<number> {
    return this.inner.increment(key, by, ttlMs);
  }

  async batch(ops: readonly StoreBatchOp[]): Promise<StoreBatchReply[]> {
    const sets = ops.flatMap((o) => (o.op === 'set' ? [o.key] : []));
    const ready = sets.length ? this.codec.ready(sets) : undefined;
    if (ready) await ready;
    const replies = await this.inner.batch(
      ops.map((o) =>
        o.op === 'set'
          ? { ...o, payload: this.codec.pack(o.key, o.payload) }
          : o,
      ),
    );
    return Promise.all(
      replies.map(async (r, i): Promise<StoreBatchReply> => {
        const op = ops[i];
        if (op.op !== 'get' || !r.ok || typeof r.value !== 'string') return r;
        return { ok: true, value: await this.readable(op.key, r.value) };
      }),
    );
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  info(): Promise<CacheStoreInfo> {
    return this.inner.info();
  }

  health(options: StoreHealthOptions): Promise<StoreHealth> {
    return this.inner.health(options);
  }

  waitUntilReady(timeoutMs: number): Promise<boolean> {
    return this.inner.waitUntilReady(timeoutMs);
  }

  close(options?: { keepConnection?: boolean }): Promise<void> {
    return this.inner.close(options);
  }
}

function missing(p: Unpacked): string | undefined {
  return p === UNREADABLE ? undefined : p;
}
