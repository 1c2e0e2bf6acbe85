import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { testRedisUrl } from '../../../test/support/services.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import { REPO_ROOT } from './support/built-app.js';
import {
  parseSamples,
  sampleSum,
  sampleValue,
} from './support/prometheus-text.js';
import {
  createTestApp,
  registerUser,
  type RegisteredUser,
  type TestApp,
} from './support/test-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';

const DASHBOARD = join(
  REPO_ROOT,
  'deploy',
  'grafana',
  'lexikon-cache.dashboard.json',
);

/** Every PromQL expression of a Grafana dashboard's panels. */
function dashboardExpressions(path: string): string[] {
  const dashboard = JSON.parse(readFileSync(path, 'utf8')) as {
    panels: { targets?: { expr?: string }[] }[];
  };
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).flatMap((t) => (t.expr ? [t.expr] : [])),
  );
}

/** The `lexikon_cache_*` and `process_*` series an expression reads. */
function queriedNames(expr: string): string[] {
  return [
    ...expr.matchAll(/\b((?:lexikon_cache|process)_[a-zA-Z0-9_]+)\b/g),
  ].map((m) => m[1]);
}

/**
 * The cache's own metrics as the running API serves them on `/metrics`, read
 * before and after known requests: one load for a cold key however many ask
 * for it at once, a miss then hits, invalidations by kind.
 */
describe('cache metrics on GET /metrics (e2e, Redis)', () => {
  const prefix = uniquePrefix('api-cache-metrics');
  let db: TestDatabase;
  let api: TestApp;
  let raw: Redis;
  let owner: RegisteredUser;

  beforeAll(async () => {
    db = await createTestDatabase('cache-metrics');
    api = await createTestApp({
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: testRedisUrl(),
        REDIS_KEY_PREFIX: prefix,
        METRICS_ENABLED: 'true',
        CACHE_L1: 'true',
      },
    });
    raw = new Redis(testRedisUrl());
    owner = await registerUser(api);
  });

  afterAll(async () => {
    await api?.close();
    if (raw) {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
    await db?.drop();
  });

  const scrape = async (): Promise<string> =>
    (await api.http().get('/metrics').expect(200)).text;

  async function newProject(name: string): Promise<string> {
    const response = await api
      .http()
      .post('/projects')
      .set(owner.auth)
      .send({ name })
      .expect(201);
    return (response.body as { id: string }).id;
  }

  /** How the samples of `name` with `labels` (summed over their other labels) changed while `run` ran. */
  async function deltas(
    read: Record<string, [name: string, labels: Record<string, string>]>,
    run: () => Promise<unknown>,
  ): Promise<Record<string, number>> {
    const before = await scrape();
    await run();
    const after = await scrape();
    return Object.fromEntries(
      Object.entries(read).map(([what, [name, labels]]) => [
        what,
        sampleSum(after, name, labels) - sampleSum(before, name, labels),
      ]),
    );
  }

  /** Requests for projects with this result, whichever tier (in-process or Redis) answered. */
  const project = (result: string) =>
    ['lexikon_cache_requests_total', { namespace: 'project', result }] as [
      string,
      Record<string, string>,
    ];

  it('counts one load, one miss and 49 hits when 50 requests ask for a cold key at once', async () => {
    const id = await newProject('Stampede');
    let states: string[] = [];
    const changed = await deltas(
      {
        loads: ['lexikon_cache_loads_total', { namespace: 'project' }],
        timed: [
          'lexikon_cache_load_duration_seconds_count',
          { namespace: 'project' },
        ],
        miss: project('miss'),
        hit: project('hit'),
      },
      async () => {
        const answers = await Promise.all(
          Array.from({ length: 50 }, () =>
            api.http().get(`/projects/${id}`).set(owner.auth).expect(200),
          ),
        );
        states = answers.map((a) => String(a.headers['x-cache']));
      },
    );
    expect(changed).toEqual({ loads: 1, timed: 1, miss: 1, hit: 49 });
    // a joiner is a hit, as X-Cache tells its client
    expect(states.filter((s) => s === 'MISS')).toHaveLength(1);
    expect(states.filter((s) => s === 'HIT')).toHaveLength(49);
  });

  it('counts a miss, then hits', async () => {
    const id = await newProject('Sequential');
    const path = `/projects/${id}`;
    const changed = await deltas(
      {
        loads: ['lexikon_cache_loads_total', { namespace: 'project' }],
        miss: project('miss'),
        hit: project('hit'),
      },
      async () => {
        for (let i = 0; i < 3; i++)
          await api.http().get(path).set(owner.auth).expect(200);
      },
    );
    expect(changed).toEqual({ loads: 1, miss: 1, hit: 2 });
  });

  it('counts an invalidation by kind, and the next read as a miss', async () => {
    const id = await newProject('Renamed');
    const path = `/projects/${id}`;
    await api.http().get(path).set(owner.auth).expect(200);
    const changed = await deltas(
      {
        tags: ['lexikon_cache_invalidations_total', { kind: 'tag' }],
        keys: ['lexikon_cache_invalidations_total', { kind: 'key' }],
        miss: project('miss'),
      },
      async () => {
        await api
          .http()
          .patch(path)
          .set(owner.auth)
          .send({ name: 'Renamed again' })
          .expect(200);
        const again = await api.http().get(path).set(owner.auth).expect(200);
        expect(again.headers['x-cache']).toBe('MISS');
      },
    );
    // the update invalidates the tags project:<id> and projects
    expect(changed).toEqual({ tags: 2, keys: 0, miss: 1 });
  });

  it('times Redis calls and reports the breaker closed and the in-process tier’s size', async () => {
    const text = await scrape();
    expect(
      sampleSum(text, 'lexikon_cache_store_duration_seconds_count', {
        op: 'read',
      }),
    ).toBeGreaterThan(0);
    expect(sampleValue(text, 'lexikon_cache_breaker_open', {})).toBe(0);
    // the API keeps an in-process tier in front of Redis (CACHE_L1)
    expect(sampleValue(text, 'lexikon_cache_l1_entries', {})).toBeGreaterThan(
      0,
    );
    expect(sampleValue(text, 'lexikon_cache_l1_bytes', {})).toBeGreaterThan(0);
    expect(
      sampleSum(text, 'lexikon_cache_requests_total', {
        tier: 'l1',
        result: 'hit',
      }),
    ).toBeGreaterThan(0);
  });

  it('serves every lexikon_cache_* and process_* series the Grafana dashboard queries', async () => {
    const expressions = dashboardExpressions(DASHBOARD);
    const queried = [...new Set(expressions.flatMap(queriedNames))].sort();
    expect(queried).toEqual(
      expect.arrayContaining([
        'lexikon_cache_requests_total',
        'lexikon_cache_loads_total',
        'lexikon_cache_load_duration_seconds_bucket',
        'lexikon_cache_store_duration_seconds_bucket',
        'lexikon_cache_invalidations_total',
        'lexikon_cache_breaker_open',
        'lexikon_cache_l1_entries',
        'lexikon_cache_l1_bytes',
        'process_resident_memory_bytes',
      ]),
    );
    // the requests above gave every labelled series a sample
    const served = new Set(parseSamples(await scrape()).map((s) => s.name));
    expect(queried.filter((name) => !served.has(name))).toEqual([]);
  });
});
