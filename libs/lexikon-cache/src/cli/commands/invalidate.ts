import { CacheEngine } from '../../core/engine/cache-engine.js';
import { isReservedKey } from '../../core/keys/cache-keys.js';
import { CliError, EXIT, type ExitCode } from '../cli-error.js';
import { canAsk, confirm } from '../confirm.js';
import type { Connection } from '../connection.js';
import { findKeys } from '../key-scan.js';
import type { Output } from '../output.js';
import {
  describePlan,
  type InvalidationPlan,
  keyTag,
} from './invalidate-plan.js';

export interface InvalidateOptions {
  readonly keys: readonly string[];
  readonly tags: readonly string[];
  readonly patterns: readonly string[];
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly confirmOver: number;
}

/**
 * How long the engine may take over one invalidation: a pattern over many
 * keys is many SCAN calls, each bounded by `--timeout` on its own.
 */
const INVALIDATION_BOUND_MS = 600_000;

function check(what: string, values: readonly string[]): void {
  for (const v of values) {
    if (v === '' || isReservedKey(v)) {
      throw CliError.usage(
        `${what} must be non-empty and must not start with "{tags}" (reserved for tag versions), got ${JSON.stringify(v)}`,
      );
    }
  }
}

async function plan(
  conn: Connection,
  engine: CacheEngine,
  o: InvalidateOptions,
): Promise<InvalidationPlan> {
  const masters = conn.masters();
  const keys = await Promise.all(
    o.keys.map(async (key) => {
      const fullKey = engine.key(key);
      return {
        key,
        fullKey,
        exists: (await conn.client.exists(fullKey)) > 0,
        keyTag: keyTag(key),
        keyTagKey: engine.tagKey(keyTag(key)),
      };
    }),
  );
  const tags = await Promise.all(
    o.tags.map(async (tag) => {
      const tagKey = engine.tagKey(tag);
      return { tag, tagKey, version: await conn.client.get(tagKey) };
    }),
  );
  const patterns = await Promise.all(
    o.patterns.map(async (pattern) => {
      const globs = engine.globs(pattern);
      const { found } = await findKeys(masters, globs);
      return { pattern, globs, matching: found.length };
    }),
  );
  return { keys, tags, patterns };
}

/** Refuses or asks when a pattern reaches more keys than `--confirm-over`. */
async function confirmLarge(
  out: Output,
  p: InvalidationPlan,
  o: InvalidateOptions,
): Promise<boolean> {
  const large = p.patterns.filter((x) => x.matching > o.confirmOver);
  if (large.length === 0 || o.yes) return true;
  const what = large
    .map((x) => `${JSON.stringify(x.pattern)} matches ${x.matching} keys`)
    .join(', ');
  if (!canAsk(out.streams)) {
    throw CliError.usage(
      `${what}, more than --confirm-over ${o.confirmOver}; pass --yes to invalidate them (no terminal to ask on)`,
    );
  }
  return confirm(out.streams, `${what}. Invalidate?`);
}

/**
 * `invalidate`: keys, tags and patterns through the library's own engine,
 * so that leases, principal copies (the `~key:` tag) and hashed keys are
 * reached exactly as `CacheService.delete` / `invalidateTags` /
 * `deletePattern` reach them.
 */
export async function runInvalidate(
  conn: Connection,
  out: Output,
  o: InvalidateOptions,
): Promise<ExitCode> {
  if (!o.keys.length && !o.tags.length && !o.patterns.length) {
    throw CliError.usage('give --key, --tag or --pattern (repeatable)');
  }
  check('--key', o.keys);
  check('--tag', o.tags);
  check('--pattern', o.patterns);
  const engine = new CacheEngine(
    conn.store,
    { ...conn.options, commandTimeoutMs: INVALIDATION_BOUND_MS },
    out.logger(),
  );
  try {
    const p = await plan(conn, engine, o);
    const reaches =
      p.tags.length > 0 ||
      p.keys.some((k) => k.exists) ||
      p.patterns.some((x) => x.matching > 0);
    if (o.dryRun) {
      out.result({ dryRun: true, ...p }, () => describePlan(p, true));
      return reaches ? EXIT.ok : EXIT.notFound;
    }
    if (!(await confirmLarge(out, p, o))) {
      out.note('Nothing invalidated.');
      return EXIT.notFound;
    }
    const result = await engine.invalidate({
      keys: p.keys.map((k) => k.fullKey),
      tagKeys: [
        ...p.keys.map((k) => k.keyTagKey),
        ...p.tags.map((t) => t.tagKey),
      ],
      globs: p.patterns.flatMap((x) => x.globs),
    });
    if (!result.applied) {
      throw CliError.unreachable(
        'Redis did not confirm the invalidation (see the warnings above); run it again',
      );
    }
    out.result({ dryRun: false, deleted: result.deleted, ...p }, () =>
      describePlan(p, false, result.deleted),
    );
    return p.tags.length > 0 || result.deleted > 0 ? EXIT.ok : EXIT.notFound;
  } finally {
    await engine.close();
  }
}
