import type { DataSource, EntityManager } from 'typeorm';

export interface LargeDataSizes {
  users: number;
  projects: number;
  terms: number;
}

export const LARGE_DATA_SIZES: LargeDataSizes = {
  users: 10_000,
  projects: 1_000,
  terms: 100_000,
};

/**
 * The API key of benchmark user `n` (1-based). Benchmark data only: these
 * keys are predictable by design.
 */
export function benchApiKey(n: number): string {
  return `lx_bench_${n}`;
}

/** A stable uuid (v4 layout) for benchmark row `n` of `kind`, in SQL. */
function benchUuid(kind: string, n: string): string {
  return `(overlay(overlay(md5('lexikon-bench:${kind}:' || ${n}) placing '4' from 13) placing '8' from 17))::uuid`;
}

/** The 1-based user owning benchmark project `p`: distinct owners, spread over the users. */
function projectOwner(p: string): string {
  return `(1 + ((${p})::bigint * 7919) % $1)`;
}

const WORDS = [
  'alpha',
  'amber',
  'anchor',
  'arc',
  'atlas',
  'beacon',
  'binary',
  'bridge',
  'cache',
  'canvas',
  'cipher',
  'cloud',
  'comet',
  'delta',
  'drift',
  'echo',
  'ember',
  'falcon',
  'fiber',
  'forge',
  'galaxy',
  'garnet',
  'harbor',
  'helix',
  'index',
  'jade',
  'kernel',
  'lambda',
  'lattice',
  'lumen',
  'matrix',
  'meadow',
  'nebula',
  'nexus',
  'onyx',
  'orbit',
  'pixel',
  'prism',
  'quartz',
  'quill',
  'raven',
  'relay',
  'sable',
  'signal',
  'summit',
  'tensor',
  'tundra',
  'vector',
  'willow',
  'zenith',
];

/** Runs an INSERT and returns how many rows it inserted. */
async function insertCount(
  manager: EntityManager,
  insert: string,
  parameters: unknown[],
): Promise<number> {
  const rows: { count: number }[] = await manager.query(
    `WITH inserted AS (${insert} RETURNING 1) SELECT count(*)::int AS count FROM inserted`,
    parameters,
  );
  return rows[0]?.count ?? 0;
}

export interface LargeSeedResult extends LargeDataSizes {
  elapsedMs: number;
}

/**
 * Generates benchmark data in PostgreSQL itself (`generate_series`):
 * `sizes.users` users (`bench-user-<n>@bench.lexikon.test`, key
 * {@link benchApiKey}), `sizes.projects` projects with distinct owners and
 * `sizes.terms` terms spread evenly over the projects, created by each
 * project's owner. Idempotent: rows have stable ids and existing ones are kept.
 * Returns how many rows of each kind were inserted.
 */
export async function seedLargeData(
  dataSource: DataSource,
  sizes: LargeDataSizes = LARGE_DATA_SIZES,
): Promise<LargeSeedResult> {
  if (sizes.projects > sizes.users) {
    throw new Error(
      'Large seed: there must be at least as many users as projects',
    );
  }
  const started = Date.now();
  const words = `ARRAY[${WORDS.map((w) => `'${w}'`).join(', ')}]`;
  const result = await dataSource.transaction(async (manager) => {
    const users = await insertCount(
      manager,
      `INSERT INTO users (id, email, name, api_key_hash, created_at, updated_at)
       SELECT ${benchUuid('user', 'n')},
              'bench-user-' || n || '@bench.lexikon.test',
              'Bench User ' || n,
              encode(sha256(convert_to('lx_bench_' || n, 'UTF8')), 'hex'),
              now() - make_interval(secs => $1 - n), now() - make_interval(secs => $1 - n)
       FROM generate_series(1, $1::int) AS n
       ON CONFLICT DO NOTHING`,
      [sizes.users],
    );
    const projects = await insertCount(
      manager,
      `INSERT INTO projects (id, name, description, owner_id, created_at, updated_at)
       SELECT ${benchUuid('project', 'p')},
              initcap((${words})[1 + p % 50]) || ' glossary ' || p,
              'Benchmark project ' || p,
              ${benchUuid('user', projectOwner('p'))},
              now() - make_interval(secs => $2 - p), now() - make_interval(secs => $2 - p)
       FROM generate_series(1, $2::int) AS p
       ON CONFLICT DO NOTHING`,
      [sizes.users, sizes.projects],
    );
    const terms = await insertCount(
      manager,
      `INSERT INTO terms (id, name, definition, project_id, created_by_id, created_at, updated_at)
       SELECT ${benchUuid('term', 't')},
              initcap((${words})[1 + t % 50]) || ' ' || (${words})[1 + (t / 50) % 50] || ' ' || t,
              'Definition of benchmark term ' || t || ': ' || repeat('lorem ipsum ', 1 + t % 8),
              ${benchUuid('project', 'p')},
              ${benchUuid('user', projectOwner('p'))},
              now() - make_interval(secs => $3 - t), now() - make_interval(secs => $3 - t)
       FROM generate_series(1, $3::int) AS t,
            LATERAL (SELECT 1 + (t - 1) % $2 AS p) AS project
       ON CONFLICT DO NOTHING`,
      [sizes.users, sizes.projects, sizes.terms],
    );
    return { users, projects, terms };
  });
  await dataSource.query('ANALYZE users, projects, terms');
  return { ...result, elapsedMs: Date.now() - started };
}
