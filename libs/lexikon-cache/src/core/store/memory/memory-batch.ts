import type { StoreBatchOp, StoreBatchReply } from '../cache-store.js';

/** The memory store's primitives a batch is made of. */
export interface BatchHandlers {
  get(key: string): string | undefined;
  delete(key: string): number;
  set(key: string, payload: string, ttlMs: number): void;
  increment(key: string, by: number, ttlMs: number): number;
  expire(key: string, ttlMs: number): boolean;
}

function runOp(
  op: StoreBatchOp,
  h: BatchHandlers,
): string | number | boolean | undefined {
  switch (op.op) {
    case 'get':
      return h.get(op.key);
    case 'exists':
      return h.get(op.key) !== undefined;
    case 'delete':
      return h.delete(op.key);
    case 'set':
      h.set(op.key, op.payload, op.ttlMs);
      return true;
    case 'increment':
      return h.increment(op.key, op.by, op.ttlMs);
    case 'expire':
      return h.expire(op.key, op.ttlMs);
  }
}

/**
 * Runs a batch in process: one reply per op, a failing op never stopping
 * the others; nothing else runs in between, so it is atomic as on Redis.
 */
export function runBatch(
  ops: readonly StoreBatchOp[],
  handlers: BatchHandlers,
): StoreBatchReply[] {
  return ops.map((op): StoreBatchReply => {
    try {
      return { ok: true, value: runOp(op, handlers) };
    } catch (err) {
      return {
        ok: false,
        error: err instanceof Error ? err : new Error(String(err)),
      };
    }
  });
}
