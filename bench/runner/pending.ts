import type { PendingFigure } from '../report/results.js';
import type { BenchOptions } from './options.js';

/** What an app-level figure gets to run with, once apps/api exists. */
export interface AppFigureEnv {
  readonly redisUrl: string;
  readonly options: BenchOptions;
  readonly say: (line: string) => void;
}

/**
 * Figures that need the real API (apps/api: TypeORM, PostgreSQL loaded with
 * the large generated dataset of 10,000 users, 1,000 projects and 100,000
 * terms). Each is an extension point: give it `measure` when the app is
 * merged and the runner measures it; until then the report says it is not
 * measured, never a made-up number.
 */
export interface AppFigure {
  readonly id: 'typeorm-route' | 'seed-table' | 'mixed-workload';
  readonly title: string;
  readonly plan: string;
  readonly measure?: (env: AppFigureEnv) => Promise<Record<string, unknown>>;
}

export const NEEDS_API = 'not measured yet (needs apps/api)';

export const APP_FIGURES: readonly AppFigure[] = [
  {
    id: 'typeorm-route',
    title: 'Variant 2: the route reading PostgreSQL through TypeORM, no cache',
    plan: 'a bench module inside the API process serving the same term through the API’s TypeORM repository; joins the interleaved rounds as variant 2 (ratios 3/2, 4/2)',
  },
  {
    id: 'seed-table',
    title: 'The seed’s table at the service level',
    plan: 'get user, term search, project terms: PostgreSQL vs cache hit on Redis vs cache hit in memory, with speed-up factors against the seed’s claims (7.5×, 15×, 25×)',
  },
  {
    id: 'mixed-workload',
    title: 'Mixed workload through the API',
    plan: 'Zipf-distributed reads over users, projects and terms with 5% writes: hit rate, throughput and p99, cache vs no cache',
  },
];

export async function runAppFigures(
  env: AppFigureEnv,
): Promise<{ measured: Record<string, unknown>; pending: PendingFigure[] }> {
  const measured: Record<string, unknown> = {};
  const pending: PendingFigure[] = [];
  for (const f of APP_FIGURES) {
    if (f.measure) measured[f.id] = await f.measure(env);
    else
      pending.push({
        id: f.id,
        title: f.title,
        status: NEEDS_API,
        plan: f.plan,
      });
  }
  return { measured, pending };
}
