import type { BenchDatabase } from './dataset.js';
import { databaseTermFixture } from './dataset.js';
import type { TermFixture } from './fixture.js';
import type { BenchOptions } from './options.js';
import { BenchServerProcess } from './server-process.js';
import type { ServedVariant } from './throughput.js';
import type { CorePlan } from '../support/cpu.js';
import { isServed, VARIANTS } from '../variants/registry.js';

/** The variants to serve: variant 2 only with a database and when throughput is measured. */
export function servedVariants(options: BenchOptions, withDatabase: boolean) {
  return VARIANTS.filter(isServed).filter(
    (v) =>
      !v.usesDatabase ||
      (withDatabase && options.figures.includes('throughput')),
  );
}

export async function startServers(
  options: BenchOptions,
  redisUrl: string,
  cores: CorePlan,
  db: BenchDatabase | undefined,
  fixture: TermFixture,
): Promise<ServedVariant[]> {
  const dbFixture = db
    ? await databaseTermFixture(db, options.keys)
    : undefined;
  const wanted = options.adapters.flatMap((adapter) =>
    servedVariants(options, db !== undefined).map((info) => ({
      adapter,
      info,
    })),
  );
  const served: ServedVariant[] = [];
  // a few at a time: they all start on the server's one core
  for (let i = 0; i < wanted.length; i += 3) {
    const batch = await Promise.all(
      wanted.slice(i, i + 3).map(async ({ adapter, info }) => ({
        adapter,
        info,
        fixture: (info.usesDatabase ? dbFixture : undefined) ?? fixture,
        server: await BenchServerProcess.start(
          {
            variant: info.id,
            adapter,
            redisUrl,
            termCount: options.keys,
            slowMs: options.stampede.loaderMs,
            ttlSeconds: 24 * 3600,
            databaseUrl: info.usesDatabase ? db?.url : undefined,
          },
          cores.server,
        ),
      })),
    );
    served.push(...batch);
  }
  return served;
}
