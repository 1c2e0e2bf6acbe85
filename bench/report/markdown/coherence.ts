import { fmtNum } from '../format.js';
import type { AddedLatency, CoherenceResults } from '../results.js';
import { table } from './table.js';

const ms = (v: number) => fmtNum(v, 2);
/** A signed difference in ms: `+0.12`, `-0.03`. */
export const fmtAdded = (v: number): string =>
  `${v >= 0 ? '+' : ''}${fmtNum(v, 2)}`;

function cells(a: AddedLatency): string[] {
  return [
    `${ms(a.withTier.p50Ms)} / ${ms(a.withTier.p99Ms)}`,
    `${ms(a.redisOnly.p50Ms)} / ${ms(a.redisOnly.p99Ms)}`,
    `**${fmtAdded(a.addedP50Ms)}** / **${fmtAdded(a.addedP99Ms)}**`,
  ];
}

/** The first write after a stall, in seconds, one per trial. */
export function firstWrites(xs: readonly number[]): string {
  return xs.map((x) => fmtNum(x / 1000, 2)).join(', ') + ' s';
}

/** What coherence adds to a write, healthy and with one instance stalled. */
export function coherenceSection(c: CoherenceResults): string[] {
  const bound = fmtNum(c.boundMs / 1000, 1);
  return [
    '',
    '## Coherence: the write latency the in-process tier adds',
    '',
    `\`invalidateTags\` of a tag on ${c.keys} entries that every instance holds in its tier, with the tier (the writer waits for the instances' acknowledgements) against the same call on Redis only; ${c.rounds} interleaved rounds of ${c.opsPerRound} calls each way. Lease ${fmtNum(c.leaseMs)} ms, margin ${fmtNum(c.marginMs)} ms (\`l1.maxLag\` ${fmtNum(c.maxLagMs)} ms). Times in ms, p50 / p99.`,
    '',
    table(
      [
        'Instances',
        'healthy: with tier',
        'Redis only',
        'added',
        'one stalled: first write',
        `bounded by lease + margin (${bound} s)`,
        'then: with tier',
        'Redis only',
        'added',
      ],
      c.rows.map((r) => [
        String(r.instances),
        ...cells(r.healthy),
        firstWrites(r.stalled.firstWriteMs),
        r.stalled.withinBound ? 'met' : '**not met**',
        ...cells(r.stalled.steady),
      ]),
    ),
  ];
}
