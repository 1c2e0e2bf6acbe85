import type {
  MixedMode,
  MixedModeSummary,
  MixedRatio,
  MixedRound,
  MixedRoundTrips,
} from '../../report/results.js';
import { type CommandCounts, perUnit } from '../../support/redis-stats.js';
import { round, spread } from '../../support/stats.js';
import type { Tally } from './load.js';
import { hitCounts, kindCounts, sumTallies } from './tallies.js';
import { sumTierHits } from './tier-hits.js';

/** One API's figures over its measured rounds. */
export function summarizeMode(
  mode: MixedMode,
  rounds: readonly MixedRound[],
  tallies: readonly Tally[][],
  roundTrips: MixedRoundTrips | undefined,
): MixedModeSummary {
  const mine = rounds.filter((x) => x.mode === mode);
  const all = sumTallies(tallies);
  const c = hitCounts(all);
  const cacheable = c.hits + c.misses + c.bypasses;
  const cmds: CommandCounts = {};
  for (const x of mine)
    for (const [cmd, n] of Object.entries(x.redisCmds))
      cmds[cmd] = (cmds[cmd] ?? 0) + n;
  const requests = mine.reduce((a, x) => a + x.requests, 0);
  const tiers = mine.flatMap((x) => (x.tierHits ? [x.tierHits] : []));
  return {
    mode,
    rps: spread(mine.map((x) => x.rps)),
    p50Ms: spread(mine.map((x) => x.p50Ms)),
    p99Ms: spread(mine.map((x) => x.p99Ms)),
    hitRate: spread(mine.map((x) => x.hitRate)),
    hitRateOverall: cacheable ? round(c.hits / cacheable, 4) : NaN,
    cpuUsPerReq: spread(mine.map((x) => x.cpuUsPerReq)),
    dbCpuUsPerReq: spread(mine.map((x) => x.dbCpuUsPerReq)),
    redisCmdsPerReq: spread(mine.map((x) => x.redisCmdsPerReq)),
    redisCmdsBreakdown: perUnit(cmds, Math.max(requests, 1)),
    non2xx: mine.reduce(
      (a, x) =>
        a +
        Object.entries(x.statuses)
          .filter(([st]) => !st.startsWith('2'))
          .reduce((b, [, n]) => b + n, 0),
      0,
    ),
    errors: mine.reduce((a, x) => a + x.errors, 0),
    byKind: kindCounts(all),
    ...(tiers.length ? { tierHits: sumTierHits(tiers) } : {}),
    ...(roundTrips ? { roundTrips } : {}),
  };
}

/** Each cached API against the API without cache, paired within each round. */
export function pairedRatios(
  rounds: readonly MixedRound[],
  cachedModes: readonly MixedMode[],
  roundCount: number,
): MixedRatio[] {
  return cachedModes.map((mode) => {
    const rps: number[] = [];
    const p99: number[] = [];
    for (let r = 1; r <= roundCount; r++) {
      const a = rounds.find((x) => x.round === r && x.mode === mode);
      const b = rounds.find((x) => x.round === r && x.mode === 'no-cache');
      if (!a || !b) continue;
      rps.push(a.rps / b.rps);
      p99.push(a.p99Ms / b.p99Ms);
    }
    return { mode, rps: spread(rps), p99: spread(p99) };
  });
}
