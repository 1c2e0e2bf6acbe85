import type {
  BenchResults,
  RatioSummary,
  TargetResult,
  VariantSummary,
} from './results.js';
import { fmtNum, fmtRatio, shortfall } from './format.js';
import type { Adapter, VariantId } from '../variants/registry.js';

type Inputs = Pick<
  BenchResults,
  | 'throughput'
  | 'roundTrips'
  | 'stampede'
  | 'invalidation'
  | 'memory'
  | 'mode'
  | 'app'
>;

/** The targets are judged on Fastify, as the reference figures were. */
const HEADLINE: Adapter = 'fastify';

function ratio(inputs: Inputs, name: string): RatioSummary | undefined {
  return inputs.throughput?.ratios.find(
    (r) => r.adapter === HEADLINE && r.name === name,
  );
}

function summary(inputs: Inputs, id: VariantId): VariantSummary | undefined {
  return inputs.throughput?.summaries.find(
    (s) => s.adapter === HEADLINE && s.variant === id,
  );
}

function notMeasured(
  id: string,
  target: string,
  why: string,
  reference?: string,
): TargetResult {
  return { id, target, measured: '–', met: null, note: why, reference };
}

function atLeast(
  id: string,
  target: string,
  goal: number,
  value: number,
  measured: string,
  reference?: string,
): TargetResult {
  const met = value >= goal;
  return {
    id,
    target,
    measured,
    met,
    note: met ? '' : shortfall(value, goal, 'atLeast'),
    reference,
  };
}

function atMost(
  id: string,
  target: string,
  goal: number,
  value: number,
  measured: string,
  reference?: string,
): TargetResult {
  const met = value <= goal;
  return {
    id,
    target,
    measured,
    met,
    note: met ? '' : shortfall(value, goal, 'atMost'),
    reference,
  };
}

const NOT_RUN = 'figure not run (see --only)';

/** Why a cached variant's throughput figures are not hit figures, if they are not. */
function notAllHits(s: VariantSummary | undefined): string | undefined {
  if (!s || s.handlerRunsInRounds === 0) return undefined;
  return `invalid: variant ${s.variant} was not all hits (its handler ran ${fmtNum(s.handlerRunsInRounds)} times during the rounds; see Problems)`;
}

export function evaluateTargets(inputs: Inputs): TargetResult[] {
  const out: TargetResult[] = [];

  const r36 = ratio(inputs, '3/6');
  const s3 = summary(inputs, 'lexikon-redis');
  const s6 = summary(inputs, 'raw-get');
  const t1 = 'Redis-hit route (3) ≥ 0.95× raw-GET handler (6) throughput';
  const ref1 =
    'raw GET: 0.66× bare, 35 µs/req; @nestjs/cache-manager + Keyv Redis: 0.64× bare, 36 µs/req';
  out.push(
    r36
      ? atLeast(
          'redis-hit-throughput',
          t1,
          0.95,
          r36.rps.median,
          fmtRatio(r36.rps),
          ref1,
        )
      : notMeasured('redis-hit-throughput', t1, NOT_RUN, ref1),
  );
  const t2 = 'Redis-hit route (3) ≤ 1.1× raw-GET handler (6) CPU per request';
  out.push(
    r36 && s3 && s6
      ? atMost(
          'redis-hit-cpu',
          t2,
          1.1,
          r36.cpu.median,
          `${fmtRatio(r36.cpu)} (${fmtNum(s3.cpuUsPerReq.median, 1)} vs ${fmtNum(s6.cpuUsPerReq.median, 1)} µs/req)`,
          ref1,
        )
      : notMeasured('redis-hit-cpu', t2, NOT_RUN, ref1),
  );

  const r41 = ratio(inputs, '4/1');
  const s4 = summary(inputs, 'lexikon-memory');
  const t3 = 'memory-store hit (4) ≥ 0.90× bare route (1) throughput';
  const ref3 =
    '@nestjs/cache-manager memory: 0.48×, 48 µs/req; bentocache memory tier: 0.37×, 55 µs/req';
  out.push(
    r41
      ? atLeast(
          'memory-hit-throughput',
          t3,
          0.9,
          r41.rps.median,
          `${fmtRatio(r41.rps)} (${fmtNum(s4?.cpuUsPerReq.median ?? NaN, 1)} µs/req)`,
          ref3,
        )
      : notMeasured('memory-hit-throughput', t3, NOT_RUN, ref3),
  );

  const t4 = '1 Redis round trip per Redis hit, tags included';
  const trips = (inputs.roundTrips ?? []).filter(
    (r) => r.variant === 'lexikon-redis' || r.variant === 'lexikon-redis-tags',
  );
  if (trips.length) {
    const worst = Math.max(...trips.map((r) => r.roundTripsPerReq));
    const measured = trips
      .filter((r) => r.adapter === HEADLINE)
      .map(
        (r) =>
          `${r.variant === 'lexikon-redis' ? '3' : '3t (2 tags)'}: ${fmtNum(r.roundTripsPerReq, 2)}`,
      )
      .join(', ');
    const stats = ['lexikon-redis', 'lexikon-redis-tags']
      .map((id) => summary(inputs, id as VariantId))
      .filter((x): x is VariantSummary => x !== undefined)
      .map((x) => fmtNum(x.redisCmdsPerReq.median, 2));
    const text = `${measured || `worst ${fmtNum(worst, 2)}`} (MONITOR)${stats.length ? `; commands incl. those inside the script: ${stats.join(', ')}` : ''}`;
    const fewest = Math.min(...trips.map((r) => r.roundTripsPerReq));
    out.push(
      fewest < 0.99
        ? {
            id: 'round-trips',
            target: t4,
            measured: text,
            met: null,
            note: 'invalid: a probe saw no Redis command on some hits (the cache was bypassed; see Problems)',
          }
        : atMost('round-trips', t4, 1, worst, text),
    );
  } else {
    out.push(notMeasured('round-trips', t4, NOT_RUN));
  }

  const t5 = 'stampede: 1 loader call for 200 concurrent cold requests';
  const ref5 = '@nestjs/cache-manager: 200';
  const st = (inputs.stampede ?? []).filter(
    (s) => s.variant === 'lexikon-redis',
  );
  if (st.length) {
    const worst = Math.max(...st.flatMap((s) => s.loaderCalls));
    const cm = (inputs.stampede ?? []).find(
      (s) => s.variant === 'nest-cache-manager' && s.adapter === HEADLINE,
    );
    out.push(
      atMost(
        'stampede',
        t5,
        1,
        worst,
        `${st.map((s) => `${s.adapter}: ${s.loaderCalls.join(', ')}`).join('; ')}${cm ? ` (variant 5 here: ${cm.loaderCalls.join(', ')})` : ''}`,
        ref5,
      ),
    );
  } else {
    out.push(notMeasured('stampede', t5, NOT_RUN, ref5));
  }

  const t6 =
    'tag invalidation: a constant number of Redis commands regardless of entries';
  const inv = inputs.invalidation;
  if (inv) {
    const met = inv.tagSmall.commands === inv.tagLarge.commands;
    out.push({
      id: 'tag-invalidation',
      target: t6,
      measured: `${inv.tagSmall.commands} commands for ${fmtNum(inv.small)} entries, ${inv.tagLarge.commands} for ${fmtNum(inv.tagged)} (deletePattern: ${fmtNum(inv.pattern.commands)})`,
      met,
      note: met
        ? ''
        : `grows with entries: ${inv.tagSmall.commands} → ${inv.tagLarge.commands} commands`,
    });
  } else {
    out.push(notMeasured('tag-invalidation', t6, NOT_RUN));
  }

  const t7 =
    '1,000,000 term entries ≤ 450 MB used_memory (through CacheService)';
  const mem = inputs.memory;
  if (mem) {
    const rows = mem.rows.filter((r) => r.name.startsWith('CacheService'));
    const worst = Math.max(...rows.map((r) => r.mbPerMillion));
    const extrapolated =
      mem.entries === 1_000_000
        ? ''
        : ` (extrapolated from ${fmtNum(mem.entries)} entries)`;
    out.push(
      atMost(
        'memory',
        t7,
        450,
        worst,
        rows
          .map(
            (r) =>
              `${r.name.replace('CacheService, ', '')}: ${fmtNum(r.mbPerMillion, 0)} MB`,
          )
          .join(', ') + extrapolated,
      ),
    );
  } else {
    out.push(notMeasured('memory', t7, NOT_RUN));
  }
  const t8 =
    '…without costing the Redis hit path more than 10% CPU (3 vs 6, as above)';
  out.push(
    r36
      ? atMost('memory-hit-cpu', t8, 1.1, r36.cpu.median, fmtRatio(r36.cpu))
      : notMeasured('memory-hit-cpu', t8, NOT_RUN),
  );

  // a throughput target is void when a cached variant it compares was not all hits
  const validity: Record<string, (VariantSummary | undefined)[]> = {
    'redis-hit-throughput': [s3, s6],
    'redis-hit-cpu': [s3, s6],
    'memory-hit-cpu': [s3, s6],
    'memory-hit-throughput': [s4],
  };
  for (let i = 0; i < out.length; i++) {
    const t = out[i];
    const reason = (validity[t.id] ?? [])
      .map(notAllHits)
      .find((r) => r !== undefined);
    if (reason && t.met !== null) out[i] = { ...t, met: null, note: reason };
  }

  out.push(...seedTableTargets(inputs), mixedWorkloadTarget(inputs));
  return out;
}

const SEED_ROWS = [
  ['get-user', 'get user', 7.5],
  ['term-search', 'term search', 15],
  ['project-terms', 'project terms', 25],
] as const;

/** The seed's table: a Redis hit against the service's PostgreSQL query, mean latency one call at a time. */
function seedTableTargets(inputs: Inputs): TargetResult[] {
  const table = inputs.app?.seedTable;
  return SEED_ROWS.map(([id, label, claim]) => {
    const target = `the seed’s table, ${label}: a Redis cache hit ≥ ${fmtNum(claim, claim % 1 ? 1 : 0)}× faster than PostgreSQL (service level, mean latency)`;
    const row = table?.rows.find((r) => r.id === id);
    if (!row) return notMeasured(`seed-${id}`, target, NOT_RUN);
    const pg = row.cells.find((c) => c.backend === 'postgres');
    const redis = row.cells.find((c) => c.backend === 'redis');
    const measured = `${fmtNum(row.speedup.redis, 1)}× (PostgreSQL ${fmtNum(pg?.sequential.meanMs ?? NaN, 3)} ms, Redis hit ${fmtNum(redis?.sequential.meanMs ?? NaN, 3)} ms; memory hit ${fmtNum(row.speedup.memory, 0)}×)`;
    const ref = `ops/s with ${table?.concurrency ?? '?'} in flight: Redis ${fmtNum(row.throughputSpeedup.redis, 1)}×, memory ${fmtNum(row.throughputSpeedup.memory, 1)}×`;
    if (redis && redis.loaderCallsTimed > 0)
      return {
        id: `seed-${id}`,
        target,
        measured,
        met: null,
        note: `invalid: the loader ran ${fmtNum(redis.loaderCallsTimed)} times during the timed Redis calls (not all hits)`,
        reference: ref,
      };
    return atLeast(
      `seed-${id}`,
      target,
      claim,
      row.speedup.redis,
      measured,
      ref,
    );
  });
}

/** The mixed workload's hit rate, over every measured round of the cached API. */
function mixedWorkloadTarget(inputs: Inputs): TargetResult {
  const m = inputs.app?.mixedWorkload;
  const target = `mixed workload through the API (Zipf s = ${fmtNum(m?.zipfS ?? 1, 1)}, ${fmtNum((m?.writeShare ?? 0.05) * 100, 0)}% writes): cache hit rate > 80%`;
  const cache = m?.summaries.find((x) => x.mode === 'cache');
  const none = m?.summaries.find((x) => x.mode === 'no-cache');
  if (!m || !cache) return notMeasured('mixed-hit-rate', target, NOT_RUN);
  const pct = (x: number) => `${fmtNum(x * 100, 1)}%`;
  const measured = `${pct(cache.hitRateOverall)} (per round ${cache.hitRate.n > 1 ? `${pct(cache.hitRate.min)}–${pct(cache.hitRate.max)}` : pct(cache.hitRate.median)})`;
  const reference = none
    ? `vs no cache: ${fmtRatio(m.rpsRatio)} req/s (${fmtNum(cache.rps.median)} vs ${fmtNum(none.rps.median)}), p99 ${fmtNum(cache.p99Ms.median, 1)} vs ${fmtNum(none.p99Ms.median, 1)} ms`
    : undefined;
  if (cache.non2xx > 0 || cache.errors > 0)
    return {
      id: 'mixed-hit-rate',
      target,
      measured,
      met: null,
      note: `invalid: ${fmtNum(cache.non2xx)} non-2xx answers and ${fmtNum(cache.errors)} errors (see Problems)`,
      reference,
    };
  const met = cache.hitRateOverall > 0.8;
  return {
    id: 'mixed-hit-rate',
    target,
    measured,
    met,
    note: met ? '' : shortfall(cache.hitRateOverall * 100, 80, 'atLeast'),
    reference,
  };
}
