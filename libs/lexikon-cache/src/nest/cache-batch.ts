import type { Duration } from '../core/time/duration.js';
import { DROPPED, type CacheEngine } from '../core/engine/cache-engine.js';
import type { EntryPolicy } from '../core/engine/entry-policy.js';
import { CacheUnavailableError } from '../core/errors/lexikon-cache.error.js';
import { answered } from '../core/guard/fail-open-store.js';
import type { StoreBatchOp } from '../core/store/cache-store.js';

/**
 * The outcome of one command of a batch, at its position: its value, or the
 * error of that command alone.
 *
 * @example
 * const [visits] = await cache.batch((b) => b.increment('visits'));
 * const count = visits.ok ? visits.value : 0;
 */
export type BatchOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error };

/**
 * One outcome per queued command, typed by what each command yields.
 *
 * @example
 * // BatchResults<[User | undefined, number]>
 * const [user, visits] = await cache.batch((b) => b.get<User>('user:1').increment('visits'));
 */
export type BatchResults<R extends readonly unknown[]> = {
  -readonly [I in keyof R]: BatchOutcome<R[I]>;
};

/** @internal */
export interface QueuedOp {
  readonly key: string;
  readonly build: (fullKey: string) => StoreBatchOp;
}

/**
 * Commands for `CacheService.batch()`, run atomically. Each method returns
 * the batch with its result type appended, so the results are typed by
 * position.
 *
 * @example
 * const [user, visits] = await cache.batch((b) => b.get<User>('user:1').increment('visits'));
 */
export class CacheBatch<R extends readonly unknown[] = []> {
  /** @internal */
  readonly ops: QueuedOp[] = [];

  constructor(
    private readonly encode: (value: unknown) => string,
    private readonly ttlMs: (ttl: Duration | undefined) => number,
    private readonly checkBy: (by: number) => void,
  ) {}

  private push<T>(op: QueuedOp): CacheBatch<[...R, T]> {
    this.ops.push(op);
    return this as unknown as CacheBatch<[...R, T]>;
  }

  get<T = unknown>(key: string): CacheBatch<[...R, T | undefined]> {
    return this.push<T | undefined>({
      key,
      build: (k) => ({ op: 'get', key: k }),
    });
  }

  exists(key: string): CacheBatch<[...R, boolean]> {
    return this.push<boolean>({
      key,
      build: (k) => ({ op: 'exists', key: k }),
    });
  }

  set(
    key: string,
    value: unknown,
    options?: { ttl?: Duration },
  ): CacheBatch<[...R, boolean]> {
    const payload = this.encode(value);
    const ttlMs = this.ttlMs(options?.ttl);
    return this.push<boolean>({
      key,
      build: (k) => ({ op: 'set', key: k, payload, ttlMs }),
    });
  }

  delete(key: string): CacheBatch<[...R, number]> {
    return this.push<number>({ key, build: (k) => ({ op: 'delete', key: k }) });
  }

  increment(
    key: string,
    by = 1,
    options?: { ttl?: Duration },
  ): CacheBatch<[...R, number]> {
    this.checkBy(by);
    const ttlMs = this.ttlMs(options?.ttl);
    return this.push<number>({
      key,
      build: (k) => ({ op: 'increment', key: k, by, ttlMs }),
    });
  }

  expire(key: string, ttl: Duration): CacheBatch<[...R, boolean]> {
    const ttlMs = this.ttlMs(ttl);
    return this.push<boolean>({
      key,
      build: (k) => ({ op: 'expire', key: k, ttlMs }),
    });
  }
}

/**
 * Sends a built batch to the store in one atomic call, decoding `get`
 * replies; with the store unavailable every outcome is a failure.
 *
 * @internal
 */
export async function runBatch<R extends readonly unknown[]>(
  engine: CacheEngine,
  batch: CacheBatch<R>,
  policy: EntryPolicy<unknown>,
): Promise<BatchResults<R>> {
  const ops = batch.ops.map((op) => op.build(engine.key(op.key)));
  const r = await engine.call('batch', ops[0]?.key ?? '', (s) => s.batch(ops));
  if (!answered(r)) {
    const error = CacheUnavailableError.create('batch');
    return ops.map(() => ({ ok: false, error })) as unknown as BatchResults<R>;
  }
  const written = ops
    .filter((op) => op.op === 'set' || op.op === 'delete')
    .map((op) => op.key);
  await engine.written(written);
  return r.map((reply, i) => {
    if (!reply.ok || ops[i].op !== 'get') return reply;
    const payload = reply.value as string | undefined;
    if (payload === undefined) return { ok: true, value: undefined };
    const value = engine.decodeOrDrop(ops[i].key, payload, policy);
    return { ok: true, value: value === DROPPED ? undefined : value };
  }) as unknown as BatchResults<R>;
}
