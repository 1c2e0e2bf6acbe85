import {
  CacheWrongTypeError,
  CrossSlotBatchError,
} from '../../errors/lexikon-cache.error.js';
import type { StoreBatchOp, StoreBatchReply } from '../cache-store.js';

export type ScriptReply = string | number | null | ScriptReply[];

export function isWrongType(err: unknown): boolean {
  return (
    err instanceof Error &&
    (err.message.includes('not an integer') ||
      err.message.startsWith('WRONGTYPE'))
  );
}

/** The BATCH script's keys and arguments for `ops`. */
export function encodeBatch(ops: readonly StoreBatchOp[]): {
  keys: string[];
  args: string[];
} {
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
  return { keys, args };
}

/** The server says CROSSSLOT; ioredis refuses a cross-slot script before sending it. */
export function batchError(err: unknown): unknown {
  if (err instanceof Error && /CROSSSLOT|same slot/.test(err.message)) {
    return CrossSlotBatchError.create();
  }
  return err;
}

export function decodeBatch(
  ops: readonly StoreBatchOp[],
  reply: ScriptReply,
): StoreBatchReply[] {
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
