import { fmtBytes, fmtNum } from '../format.js';
import type { InvalidationResults, MemoryResults } from '../results.js';
import { breakdown, table } from './table.js';

/** The cost of invalidating a tag against a pattern delete. */
export function invalidationSection(inv: InvalidationResults): string[] {
  const out: string[] = [];
  out.push(
    '',
    `## Invalidation: ${fmtNum(inv.tagged)} entries among ${fmtNum(inv.keyspace)} keys`,
    '',
  );
  out.push(
    table(
      ['Operation', 'time ms', 'Redis commands', 'commands'],
      [
        [
          `invalidateTags, tag on ${fmtNum(inv.small)} entries`,
          fmtNum(inv.tagSmall.ms, 3),
          String(inv.tagSmall.commands),
          breakdown(inv.tagSmall.breakdown),
        ],
        [
          `invalidateTags, tag on ${fmtNum(inv.tagged)} entries`,
          fmtNum(inv.tagLarge.ms, 3),
          String(inv.tagLarge.commands),
          breakdown(inv.tagLarge.breakdown),
        ],
        [
          `deletePattern over the same ${fmtNum(inv.tagged)} entries (deleted ${fmtNum(inv.pattern.deleted)})`,
          fmtNum(inv.pattern.ms, 1),
          fmtNum(inv.pattern.commands),
          breakdown(inv.pattern.breakdown),
        ],
      ],
    ),
  );
  return out;
}

/** Redis memory per stored entry, by encoding. */
export function memorySection(mem: MemoryResults): string[] {
  const out: string[] = [];
  out.push(
    '',
    `## Memory: ${fmtNum(mem.entries)} term entries (~500 B JSON each)`,
    '',
  );
  out.push(
    table(
      [
        'Stored as',
        'used_memory delta',
        'MB per 1,000,000',
        'bytes/entry',
        'value bytes',
        'what',
      ],
      mem.rows.map((x) => [
        x.name,
        fmtBytes(x.usedMemoryDelta),
        fmtNum(x.mbPerMillion, 1),
        fmtNum(x.bytesPerEntry, 0),
        fmtNum(x.valueBytes, 0),
        x.description,
      ]),
    ),
  );
  return out;
}
