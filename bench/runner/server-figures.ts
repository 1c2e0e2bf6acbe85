import type { Redis } from 'ioredis';
import { Agent } from 'node:http';
import type { BenchResults } from '../report/results.js';
import type { CorePlan } from '../support/cpu.js';
import { VARIANTS } from '../variants/registry.js';
import { servedVariants, startServers } from './bench-servers.js';
import type { BenchDatabase } from './dataset.js';
import { primeAndVerify, termFixture } from './fixture.js';
import type { BenchOptions } from './options.js';
import { measureRoundTrips } from './round-trips.js';
import { measureStampede } from './stampede.js';
import { measureThroughput } from './throughput.js';

export interface ServerFigures {
  throughput: BenchResults['throughput'];
  roundTrips: BenchResults['roundTrips'];
  stampede: BenchResults['stampede'];
}

/** The figures taken against the bench servers: throughput, round trips per hit and the stampede. */
export async function measureServerFigures(
  options: BenchOptions,
  figures: ReadonlySet<string>,
  redisUrl: string,
  redis: Redis,
  cores: CorePlan,
  db: BenchDatabase | undefined,
  clockTicks: number,
  say: (line: string) => void,
  problems: string[],
): Promise<ServerFigures> {
  let throughput: BenchResults['throughput'];
  let roundTrips: BenchResults['roundTrips'];
  let stampede: BenchResults['stampede'];

  if (
    figures.has('throughput') ||
    figures.has('roundtrips') ||
    figures.has('stampede')
  ) {
    say(
      `starting ${options.adapters.length * servedVariants(options, db !== undefined).length} bench servers`,
    );
    const fixture = termFixture(options.keys);
    const served = await startServers(options, redisUrl, cores, db, fixture);
    try {
      const agent = new Agent({ keepAlive: true, maxSockets: 16 });
      say(`priming and verifying every server (${options.keys} keys each)`);
      for (const s of served)
        await primeAndVerify(s.server, s.info, s.fixture, agent);
      agent.destroy();
      if (figures.has('throughput')) {
        throughput = await measureThroughput(
          served,
          options,
          redis,
          clockTicks,
          cores.server,
          db?.dataSource,
          say,
        );
        // variant 2's own PostgreSQL backends run on that CPU too: not a neighbour
        const busiest = Math.max(
          0,
          ...throughput.samples
            .filter(
              (x) => !VARIANTS.find((v) => v.id === x.variant)?.usesDatabase,
            )
            .map((x) => x.serverCoreOtherPct || 0),
        );
        if (busiest > 10)
          problems.push(
            `other processes took up to ${Math.round(busiest)}% of the server's CPU during a round (see "other on server CPU"); throughput figures are less reliable`,
          );
        for (const x of throughput.summaries) {
          const info = VARIANTS.find((v) => v.id === x.variant);
          if (info?.cached && x.handlerRunsInRounds > 0)
            problems.push(
              `${x.variant}/${x.adapter}: the handler ran ${x.handlerRunsInRounds} times during the rounds (not all hits)`,
            );
        }
      }
      if (figures.has('roundtrips')) {
        say('round trips per hit (MONITOR probe)');
        roundTrips = await measureRoundTrips(served, fixture, redis, 200);
      }
      if (figures.has('stampede')) {
        say(
          `stampede: ${options.stampede.concurrency} concurrent cold requests, ${options.stampede.loaderMs} ms loader`,
        );
        stampede = await measureStampede(served, options);
        for (const s of stampede) {
          if (s.okResponses !== s.requests)
            problems.push(
              `stampede ${s.variant}/${s.adapter}: ${s.requests - s.okResponses} wrong or failed responses`,
            );
        }
      }
    } finally {
      await Promise.all(served.map((s) => s.server.stop()));
      for (const s of served) {
        for (const w of new Set(s.server.warnings))
          problems.push(`${s.server.name} logged: ${w}`);
      }
    }
  }
  return { throughput, roundTrips, stampede };
}
