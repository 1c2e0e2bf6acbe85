import type { MixedKindCount } from '../../report/results.js';
import { round } from '../../support/stats.js';
import { KINDS } from './kinds.js';
import type { Tally } from './load.js';

export function hitCounts(tallies: readonly Tally[]) {
  let hits = 0;
  let misses = 0;
  let bypasses = 0;
  let noHeader = 0;
  let writes = 0;
  tallies.forEach((t, i) => {
    if (KINDS[i].write) {
      writes += t.requests;
      return;
    }
    hits += t.hits;
    misses += t.misses;
    bypasses += t.bypasses;
    noHeader += t.noHeader;
  });
  return { hits, misses, bypasses, noHeader, writes };
}

export function kindCounts(tallies: readonly Tally[]): MixedKindCount[] {
  return tallies.map((t, i) => ({
    kind: KINDS[i].kind,
    requests: t.requests,
    hits: t.hits,
    misses: t.misses,
    bypasses: t.bypasses,
    meanMs: round(t.requests ? t.ms / t.requests : NaN, 2),
  }));
}

export function sumTallies(all: readonly (readonly Tally[])[]): Tally[] {
  return KINDS.map((_, i) =>
    all.reduce(
      (a, t) => ({
        requests: a.requests + t[i].requests,
        hits: a.hits + t[i].hits,
        misses: a.misses + t[i].misses,
        bypasses: a.bypasses + t[i].bypasses,
        noHeader: a.noHeader + t[i].noHeader,
        ms: a.ms + t[i].ms,
      }),
      { requests: 0, hits: 0, misses: 0, bypasses: 0, noHeader: 0, ms: 0 },
    ),
  );
}
