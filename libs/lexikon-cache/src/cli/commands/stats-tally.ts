import type { KeyName } from '../key-names.js';
import type { KeyFacts } from '../key-scan.js';

/** TTL buckets of `stats`, by upper bound (exclusive). */
export const TTL_BUCKETS = [
  { name: '<1m', belowMs: 60_000 },
  { name: '<10m', belowMs: 600_000 },
  { name: '<1h', belowMs: 3_600_000 },
  { name: '<1d', belowMs: 86_400_000 },
  { name: '>=1d', belowMs: Number.POSITIVE_INFINITY },
] as const;

type BucketName = (typeof TTL_BUCKETS)[number]['name'];

/** What `stats` reports of one group of keys. */
export interface GroupStats {
  readonly group: string;
  readonly keys: number;
  readonly hashed: number;
  readonly ttl: {
    readonly minMs: number | null;
    readonly maxMs: number | null;
    /** Keys without a TTL (the library always sets one). */
    readonly none: number;
    readonly buckets: Record<BucketName, number>;
  };
  readonly memory: {
    /** Keys whose MEMORY USAGE was read. */
    readonly sampled: number;
    readonly sampledBytes: number;
    /** sampledBytes / sampled × keys. */
    readonly estimatedBytes: number;
  };
}

class Group {
  keys = 0;
  hashed = 0;
  minMs: number | null = null;
  maxMs: number | null = null;
  none = 0;
  readonly buckets = Object.fromEntries(
    TTL_BUCKETS.map((b) => [b.name, 0]),
  ) as Record<BucketName, number>;
  sampled = 0;
  sampledBytes = 0;

  constructor(readonly name: string) {}

  add(name: KeyName, facts: KeyFacts): void {
    this.keys++;
    if (name.hashed) this.hashed++;
    if (facts.ttlMs === -1) {
      this.none++;
    } else {
      const t = facts.ttlMs;
      this.minMs = this.minMs === null ? t : Math.min(this.minMs, t);
      this.maxMs = this.maxMs === null ? t : Math.max(this.maxMs, t);
      const bucket = TTL_BUCKETS.find((b) => t < b.belowMs) ?? TTL_BUCKETS[4];
      this.buckets[bucket.name]++;
    }
    if (typeof facts.memoryBytes === 'number') {
      this.sampled++;
      this.sampledBytes += facts.memoryBytes;
    }
  }

  merge(other: Group): void {
    this.keys += other.keys;
    this.hashed += other.hashed;
    this.none += other.none;
    for (const b of TTL_BUCKETS) this.buckets[b.name] += other.buckets[b.name];
    if (other.minMs !== null)
      this.minMs = Math.min(this.minMs ?? other.minMs, other.minMs);
    if (other.maxMs !== null)
      this.maxMs = Math.max(this.maxMs ?? other.maxMs, other.maxMs);
    this.sampled += other.sampled;
    this.sampledBytes += other.sampledBytes;
  }

  estimate(): number {
    return this.sampled === 0
      ? 0
      : Math.round((this.sampledBytes / this.sampled) * this.keys);
  }

  stats(): GroupStats {
    return {
      group: this.name,
      keys: this.keys,
      hashed: this.hashed,
      ttl: {
        minMs: this.minMs,
        maxMs: this.maxMs,
        none: this.none,
        buckets: { ...this.buckets },
      },
      memory: {
        sampled: this.sampled,
        sampledBytes: this.sampledBytes,
        estimatedBytes: this.estimate(),
      },
    };
  }
}

/** The groups name for those beyond `--top`, summed up. */
export const OTHER_GROUPS = '(other)';

/**
 * Counts keys per group as SCAN finds them. Memory is read for the first
 * `samplePerGroup` keys of each group SCAN returns; SCAN's order is the
 * hash table's, so they are a fair sample.
 */
export class GroupTally {
  private readonly groups = new Map<string, Group>();
  private readonly requested = new Map<string, number>();
  keys = 0;

  constructor(private readonly samplePerGroup: number) {}

  /** Whether the next key of this group should have its memory read. */
  wantsSample(group: string): boolean {
    const n = this.requested.get(group) ?? 0;
    if (n >= this.samplePerGroup) return false;
    this.requested.set(group, n + 1);
    return true;
  }

  add(name: KeyName, facts: KeyFacts): void {
    if (facts.ttlMs === -2) return; // gone since SCAN saw it
    let g = this.groups.get(name.group);
    if (!g) this.groups.set(name.group, (g = new Group(name.group)));
    g.add(name, facts);
    this.keys++;
  }

  /** Totals, and the `top` largest groups (by keys) with the rest summed up. */
  summary(top: number) {
    const all = [...this.groups.values()].sort(
      (a, b) => b.keys - a.keys || (a.name < b.name ? -1 : 1),
    );
    const shown = all.slice(0, top);
    const rest = all.slice(top);
    const total = new Group('');
    for (const g of all) total.merge(g);
    if (rest.length > 0) {
      const other = new Group(OTHER_GROUPS);
      for (const g of rest) other.merge(g);
      shown.push(other);
    }
    return {
      keys: total.keys,
      hashed: total.hashed,
      memory: {
        sampled: total.sampled,
        sampledBytes: total.sampledBytes,
        estimatedBytes: all.reduce((a, g) => a + g.estimate(), 0),
        samplePerGroup: this.samplePerGroup,
      },
      groupsOmitted: rest.length,
      groups: shown.map((g) => g.stats()),
    };
  }
}
