import { ADAPTERS, VARIANTS, variant } from '../variants/registry.js';
import { fmtBytes, fmtNum, fmtRatio, fmtSpread } from './format.js';
import type {
  AppResults,
  BenchResults,
  DatasetInfo,
  TargetResult,
} from './results.js';

function table(head: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${head.map(esc).join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

function metCell(t: TargetResult): string {
  if (t.met === null) return 'not measured';
  return t.met ? '**met**' : '**not met**';
}

function breakdown(counts: Record<string, number>): string {
  const parts = Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([cmd, n]) => `${cmd} ${fmtNum(n, 2)}`);
  return parts.length ? parts.join(', ') : '–';
}

const title = (a: string) => a[0].toUpperCase() + a.slice(1);

/** latest.md: every figure of one run, as tables. */
export function renderMarkdown(r: BenchResults): string {
  const out: string[] = [];
  const s = r.settings;
  out.push(
    `# Lexikon benchmark: ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${r.mode} run)`,
    '',
    `Machine: ${r.machine.cpuModel}, ${r.machine.nproc} CPUs, Node ${r.machine.node}, Redis ${r.machine.redis}, ${r.machine.platform}; ${r.machine.pinning}.`,
    '',
    `Settings: ${String(s.rounds)} round(s) of ${String(s.durationSec)} s per variant and adapter, interleaved; ${String(s.connections)} connections; ${String(s.keys)} distinct keys cycled; warm-up ${String(s.warmupSec)} s per server. Figures are medians over rounds with (min–max).`,
  );
  if (r.dataset) out.push('', datasetLine(r.dataset));
  if (r.mode === 'quick') {
    out.push(
      '',
      '> **Quick run** (smoke check): one short round per variant and reduced sizes. The figures are indicative only; the targets are judged on a full run.',
    );
  }
  if (r.problems.length) {
    out.push(
      '',
      '**Problems seen in this run:**',
      '',
      ...r.problems.map((p) => `- ${p}`),
    );
  }

  out.push('', '## Targets (Fastify, server pinned to one core)', '');
  out.push(
    table(
      [
        'Target',
        'Measured',
        'Result',
        'By how much / why',
        'Reference (anchors)',
      ],
      r.targets.map((t) => [
        t.target,
        t.measured,
        metCell(t),
        t.note || '–',
        t.reference ?? '',
      ]),
    ),
  );

  const tp = r.throughput;
  if (tp) {
    for (const adapter of ADAPTERS) {
      const rows = tp.summaries.filter((x) => x.adapter === adapter);
      if (!rows.length) continue;
      out.push(
        '',
        `## Throughput, ${title(adapter)}${adapter === 'fastify' ? ' (headline)' : ''}`,
        '',
      );
      const body = VARIANTS.map((v) => {
        const x = rows.find((y) => y.variant === v.id);
        if (!x) {
          return v.pending
            ? [v.number, v.label, v.pending, '', '', '', '', '', '']
            : undefined;
        }
        return [
          v.number,
          v.cached && x.handlerRunsInRounds > 0
            ? `${v.label} ⚠ not all hits: handler ran ${fmtNum(x.handlerRunsInRounds)}×`
            : v.label,
          fmtSpread(x.rps),
          fmtSpread(x.p50Ms, 2),
          fmtSpread(x.p99Ms, 2),
          fmtSpread(x.cpuUsPerReq, 1),
          fmtSpread(x.serverBusyPct, 0, '%'),
          `${fmtNum(x.serverCoreOtherPct.median, 0)}% (max ${fmtNum(x.serverCoreOtherPct.max, 0)}%)`,
          fmtNum(x.redisCmdsPerReq.median, 2),
        ];
      }).filter((row): row is string[] => row !== undefined);
      out.push(
        table(
          [
            '#',
            'Variant',
            'req/s',
            'p50 ms',
            'p99 ms',
            'server CPU µs/req',
            'server core busy',
            'others on server core',
            'Redis cmds/req',
          ],
          body,
        ),
      );
    }
    const v2 = tp.summaries.filter((x) => x.dbCpuUsPerReq);
    if (v2.length) {
      out.push(
        '',
        `Variant 2 also used PostgreSQL CPU (its backends, from \`/proc\`; not pinned, not in the server figures): ${v2.map((x) => `${x.adapter} ${fmtSpread(x.dbCpuUsPerReq ?? { median: NaN, min: NaN, max: NaN, n: 0 }, 1)} µs/req`).join(', ')}.`,
      );
    }
    out.push('', '## Ratios (paired within each round)', '');
    const names = [...new Set(tp.ratios.map((x) => x.name))];
    const adapters = ADAPTERS.filter((a) =>
      tp.ratios.some((x) => x.adapter === a),
    );
    out.push(
      table(
        [
          'Ratio',
          ...adapters.flatMap((a) => [
            `${title(a)} req/s`,
            `${title(a)} CPU/req`,
          ]),
        ],
        names.map((n) => {
          const first = tp.ratios.find((x) => x.name === n);
          const label = first
            ? `${n}: ${variant(first.numerator).label} / ${variant(first.denominator).label}`
            : n;
          return [
            label,
            ...adapters.flatMap((a) => {
              const x = tp.ratios.find((y) => y.name === n && y.adapter === a);
              return x ? [fmtRatio(x.rps), fmtRatio(x.cpu)] : ['–', '–'];
            }),
          ];
        }),
      ),
    );
    out.push(
      '',
      'Redis commands per request during the rounds (INFO commandstats; commands run inside Lua scripts count too):',
      '',
    );
    out.push(
      table(
        [
          'Adapter',
          'Variant',
          'commands per request',
          'handler runs during rounds',
        ],
        tp.summaries
          .filter(
            (x) => variant(x.variant).usesRedis || variant(x.variant).cached,
          )
          .map((x) => [
            x.adapter,
            `${variant(x.variant).number} ${variant(x.variant).label}`,
            breakdown(x.redisCmdsBreakdown),
            String(x.handlerRunsInRounds),
          ]),
      ),
    );
  }

  if (r.roundTrips?.length) {
    out.push('', '## Redis round trips per cached hit (MONITOR probe)', '');
    out.push(
      table(
        [
          'Adapter',
          'Variant',
          'round trips / hit',
          'commands inside scripts / hit',
          'sent by the server',
        ],
        r.roundTrips.map((x) => [
          x.adapter,
          `${variant(x.variant).number} ${variant(x.variant).label}`,
          fmtNum(x.roundTripsPerReq, 2),
          fmtNum(x.scriptCmdsPerReq, 2),
          breakdown(
            Object.fromEntries(
              Object.entries(x.clientCommands).map(([k, v]) => [
                k,
                v / x.requests,
              ]),
            ),
          ),
        ]),
      ),
    );
  }

  if (r.stampede?.length) {
    const first = r.stampede[0];
    out.push(
      '',
      `## Stampede: ${first.concurrency} concurrent requests on one cold key, ${first.loaderMs} ms loader`,
      '',
    );
    out.push(
      table(
        [
          'Adapter',
          'Variant',
          'loader calls (per trial)',
          'correct 200s',
          'p50 ms',
          'max ms',
        ],
        r.stampede.map((x) => [
          x.adapter,
          `${variant(x.variant).number} ${variant(x.variant).label}`,
          x.loaderCalls.join(', '),
          `${x.okResponses}/${x.requests}`,
          fmtNum(x.p50Ms, 1),
          fmtNum(x.maxMs, 1),
        ]),
      ),
    );
  }

  const inv = r.invalidation;
  if (inv) {
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
  }

  const mem = r.memory;
  if (mem) {
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
  }

  if (r.app) out.push(...appSections(r.app));

  if (r.pending.length) {
    out.push('', '## Not measured yet', '');
    out.push(
      table(
        ['Figure', 'Status', 'Plan'],
        r.pending.map((p) => [p.title, p.status, p.plan]),
      ),
    );
  }
  out.push('');
  return out.join('\n');
}

function datasetLine(d: DatasetInfo): string {
  return `Data set (variant 2, the seed’s table, the mixed workload): ${d.name}, ${fmtNum(d.users)} users, ${fmtNum(d.projects)} projects, ${fmtNum(d.terms)} terms, generated by apps/api’s \`seedLargeData\` in ${fmtNum(d.seedMs / 1000, 1)} s into the run’s own database on PostgreSQL ${d.postgres} (${d.server === 'existing' ? 'the configured server' : 'a throwaway server the bench started'}; not pinned).`;
}

function appSections(app: AppResults): string[] {
  const out: string[] = [];
  const t = app.seedTable;
  if (t) {
    out.push(
      '',
      '## The seed’s table (service level, no HTTP)',
      '',
      `The API services’ PostgreSQL queries against a hit of the same value through \`CacheService.getOrSet\` (the API’s key and tag), on Redis and in memory. ${t.keys} keys per operation, all primed; latency one call at a time, ops/s with ${t.concurrency} calls in flight. Speed-up: PostgreSQL mean latency / hit mean latency (ops/s ratio beside it).`,
      '',
    );
    const label = {
      postgres: 'PostgreSQL',
      redis: 'hit, Redis',
      memory: 'hit, memory',
    };
    out.push(
      table(
        [
          'Operation',
          'Source',
          'mean ms',
          'p50 ms',
          'p99 ms',
          `ops/s (${t.concurrency} in flight)`,
          'speed-up (latency)',
          'speed-up (ops/s)',
          'claim',
        ],
        t.rows.flatMap((row) =>
          row.cells.map((c) => [
            c.backend === 'postgres'
              ? `${row.label}: ${row.service}, ${fmtNum(row.valueBytes)} B${row.items !== undefined ? ` (${fmtNum(row.items, 1)} items)` : ''}`
              : `${row.label}: key \`${row.cacheKey}\`, tag \`${row.tags}\``,
            `${label[c.backend]}${c.backend !== 'postgres' && c.loaderCallsTimed > 0 ? ` ⚠ ${c.loaderCallsTimed} loads` : ''}${c.dbCpuUsPerCall !== undefined ? ` (+${fmtNum(c.dbCpuUsPerCall, 0)} µs PostgreSQL CPU/call)` : ''}`,
            fmtNum(c.sequential.meanMs, 4),
            fmtNum(c.sequential.p50Ms, 4),
            fmtNum(c.sequential.p99Ms, 4),
            fmtNum(c.concurrent.opsPerSec),
            c.backend === 'postgres'
              ? '1×'
              : `${fmtNum(row.speedup[c.backend], 1)}×`,
            c.backend === 'postgres'
              ? '1×'
              : `${fmtNum(row.throughputSpeedup[c.backend], 1)}×`,
            c.backend === 'redis'
              ? `${fmtNum(row.claim, row.claim % 1 ? 1 : 0)}×`
              : '',
          ]),
        ),
      ),
    );
  }
  const m = app.mixedWorkload;
  if (m) {
    const pct = (x: number) =>
      Number.isFinite(x) ? `${fmtNum(x * 100, 1)}%` : '–';
    out.push(
      '',
      `## Mixed workload through the API (Zipf s = ${fmtNum(m.zipfS, 1)}, ${fmtNum(m.writeShare * 100, 0)}% writes, ${m.connections} connections)`,
      '',
      `The API (AppModule on Fastify, pinned like the bench servers) with its Redis cache and without any cache, on the same data; ${m.warmupSec} s of warm-up each, then rounds interleaved; medians over rounds with (min–max). Hit rate: X-Cache answers of the GETs (HIT / all), over all measured rounds. The cache starts empty at the warm-up, so the hit rate climbs with time: warm-up ${pct(m.warmup.hitRate)} (${fmtNum(m.warmup.requests)} requests), then by round ${m.rounds
        .filter((x) => x.mode === 'cache')
        .map((x) => pct(x.hitRate))
        .join(', ')}.`,
      '',
    );
    out.push(
      table(
        [
          'API',
          'req/s',
          'p50 ms',
          'p99 ms',
          'hit rate',
          'API CPU µs/req',
          'PostgreSQL CPU µs/req',
          'Redis cmds/req',
          'non-2xx',
        ],
        m.summaries.map((x) => [
          x.mode === 'cache' ? 'with cache (Redis)' : 'without cache',
          fmtSpread(x.rps),
          fmtSpread(x.p50Ms, 2),
          fmtSpread(x.p99Ms, 2),
          x.mode === 'cache'
            ? `${pct(x.hitRateOverall)} (rounds ${pct(x.hitRate.min)}–${pct(x.hitRate.max)})`
            : '–',
          fmtSpread(x.cpuUsPerReq, 1),
          fmtSpread(x.dbCpuUsPerReq, 1),
          fmtNum(x.redisCmdsPerReq.median, 2),
          fmtNum(x.non2xx),
        ]),
      ),
      '',
      `Cache / no cache, paired per round: req/s ${fmtRatio(m.rpsRatio)}, p99 ${fmtRatio(m.p99Ratio)}.`,
    );
    const cache = m.summaries.find((x) => x.mode === 'cache');
    const none = m.summaries.find((x) => x.mode === 'no-cache');
    if (cache?.redisCmdsBreakdown)
      out.push(
        '',
        `Redis commands per request with cache (commandstats, script-internal ones included; the API-key lookup is one cached call per request): ${breakdown(cache.redisCmdsBreakdown)}.`,
      );
    out.push('');
    out.push(
      table(
        [
          'Request',
          'share',
          'hit rate (cache)',
          'mean ms (cache)',
          'mean ms (no cache)',
        ],
        m.mix.map((k) => {
          const c = cache?.byKind.find((x) => x.kind === k.kind);
          const n = none?.byKind.find((x) => x.kind === k.kind);
          const cacheable = c ? c.hits + c.misses + c.bypasses : 0;
          return [
            k.kind,
            `${fmtNum(k.share * 100, 1)}%`,
            c && cacheable ? pct(c.hits / cacheable) : '–',
            fmtNum(c?.meanMs ?? NaN, 2),
            fmtNum(n?.meanMs ?? NaN, 2),
          ];
        }),
      ),
    );
  }
  return out;
}
