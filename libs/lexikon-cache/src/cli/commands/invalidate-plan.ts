/**
 * The tag every entry of a caller's key carries, principals' HTTP copies
 * included; `CacheService.delete` bumps it with the key (the declarative
 * layer's `keyTag`, which the CLI may not import; a test keeps them equal).
 */
export function keyTag(key: string): string {
  return `~key:${key}`;
}

/** What an invalidation reaches, found before it runs. */
export interface InvalidationPlan {
  readonly keys: readonly {
    readonly key: string;
    readonly fullKey: string;
    readonly exists: boolean;
    readonly keyTag: string;
    readonly keyTagKey: string;
  }[];
  readonly tags: readonly {
    readonly tag: string;
    readonly tagKey: string;
    /** The tag's current version; null when no entry has used it lately. */
    readonly version: string | null;
  }[];
  readonly patterns: readonly {
    readonly pattern: string;
    readonly globs: readonly string[];
    /** Keys the globs match (SCAN), hashed keys by their kept start. */
    readonly matching: number;
  }[];
}

/** The plan, or what was done, for people. */
export function describePlan(
  p: InvalidationPlan,
  dryRun: boolean,
  deleted?: number,
): string {
  const lines: string[] = [];
  const verb = dryRun ? 'would ' : '';
  for (const k of p.keys) {
    lines.push(
      `key ${JSON.stringify(k.key)}: ${k.exists ? `${verb}delete ${k.fullKey}` : 'absent'}; ${verb}bump ${k.keyTag} (every principal's copy)`,
    );
  }
  for (const t of p.tags) {
    const state = t.version === null ? 'not in use' : `version ${t.version}`;
    lines.push(
      `tag ${JSON.stringify(t.tag)} (${state}): ${verb}bump, outdating every entry stamped with it`,
    );
  }
  for (const x of p.patterns) {
    lines.push(
      `pattern ${JSON.stringify(x.pattern)}: ${x.matching} matching key(s)${dryRun ? ' would be deleted' : ''}`,
    );
  }
  if (deleted !== undefined && (p.keys.length > 0 || p.patterns.length > 0)) {
    lines.push(`${deleted} key(s) deleted`);
  }
  if (dryRun) lines.push('dry run: nothing changed');
  return lines.join('\n');
}
