/*
 * Bench-only instrumentation of the API (server/api-server.ts, when asked):
 * counts the loads the cache lets through to PostgreSQL, per cache key, and
 * the most of them in flight at once for one key. The route loaders are the
 * services' read methods the cached controller handlers call (one call per
 * load, nothing cached inside them); the API-key lookup's loader is the
 * users repository's `findOne` by key hash, inside its `@Cacheable`. Served
 * at `GET /__bench/loads` (`?reset=1` starts a new window), outside Nest's
 * guards. Neither apps/api nor the library knows of it.
 */
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pg from 'pg';
import { ProjectsService } from '../../apps/api/src/projects/projects.service.js';
import { TermsService } from '../../apps/api/src/terms/terms.service.js';
import { UsersService } from '../../apps/api/src/users/users.service.js';

/** What `GET /__bench/loads` answers: counts since the last reset. */
export interface LoadCounts {
  readonly loads: number;
  readonly byKind: Record<string, number>;
  /** The most loads of one key in flight at once. */
  readonly maxInFlightPerKey: number;
  readonly hottestKey: string | null;
  /** Loads of the key with the most loads. */
  readonly mostLoadsOfOneKey: number;
  /** Loads running when asked. */
  readonly inFlightNow: number;
  /** Queries the API sent to PostgreSQL (node-postgres `Client.query` calls). */
  readonly queries: number;
}

type AsyncMethod = (...args: unknown[]) => Promise<unknown>;

class LoadCounter {
  private readonly inFlight = new Map<string, number>();
  private readonly perKey = new Map<string, number>();
  private readonly byKind: Record<string, number> = {};
  private loads = 0;
  private max = 0;
  private hottest: string | null = null;
  queries = 0;

  async track<T>(
    kind: string,
    key: string,
    load: () => Promise<T>,
  ): Promise<T> {
    const now = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, now);
    this.loads++;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    this.perKey.set(key, (this.perKey.get(key) ?? 0) + 1);
    if (now > this.max) {
      this.max = now;
      this.hottest = key;
    }
    try {
      return await load();
    } finally {
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    }
  }

  read(reset: boolean): LoadCounts {
    let most = 0;
    let mostKey: string | null = null;
    for (const [k, n] of this.perKey)
      if (n > most) {
        most = n;
        mostKey = k;
      }
    let inFlightNow = 0;
    for (const n of this.inFlight.values()) inFlightNow += n;
    const counts: LoadCounts = {
      loads: this.loads,
      byKind: { ...this.byKind },
      maxInFlightPerKey: this.max,
      hottestKey: this.max > 1 ? this.hottest : mostKey,
      mostLoadsOfOneKey: most,
      inFlightNow,
      queries: this.queries,
    };
    if (reset) {
      this.queries = 0;
      this.loads = 0;
      this.max = 0;
      this.hottest = null;
      this.perKey.clear();
      for (const k of Object.keys(this.byKind)) delete this.byKind[k];
    }
    return counts;
  }
}

/** Replaces `name` on `target` (an instance: the prototype stays as it is) with a counted call. */
function wrap(
  counter: LoadCounter,
  target: object,
  name: string,
  kind: string,
  key: (args: readonly unknown[]) => string | undefined,
): void {
  const slot = target as Record<string, AsyncMethod>;
  const original = slot[name].bind(target);
  slot[name] = (...args: unknown[]) => {
    const k = key(args);
    return k === undefined
      ? original(...args)
      : counter.track(kind, k, () => original(...args));
  };
}

const str = (v: unknown): string => String(v);

const counter = new LoadCounter();

/**
 * Counts every query sent through node-postgres. Call before the app is
 * created: the API's client class takes `Client.prototype.query` when its
 * data source is configured.
 */
export function countQueries(): void {
  const client = pg.Client.prototype as unknown as Record<
    'query',
    (...args: unknown[]) => unknown
  >;
  const query = client.query;
  client.query = function (this: unknown, ...args: unknown[]) {
    counter.queries++;
    return query.apply(this, args);
  };
}

/** Instruments the app's loaders and adds the route; call before `listen`. */
export function installLoadCounter(app: INestApplication): void {
  const terms = app.get(TermsService);
  wrap(counter, terms, 'findOne', 'term', (a) => `term:${str(a[0])}`);
  wrap(
    counter,
    terms,
    'findByProject',
    'project-terms',
    (a) => `project:${str(a[0])}:terms`,
  );
  wrap(
    counter,
    terms,
    'search',
    'search',
    (a) => `term:search:${str(a[1])}:${str(a[0])}`,
  );
  wrap(
    counter,
    app.get(ProjectsService),
    'findOne',
    'project',
    (a) => `project:${str(a[0])}`,
  );
  const users = app.get(UsersService);
  wrap(counter, users, 'findOne', 'user', (a) => `user:${str(a[0])}`);
  // the API-key lookup's loader: its @Cacheable wraps the service method itself
  const repository = (users as unknown as { users: object }).users;
  wrap(counter, repository, 'findOne', 'auth', (a) => {
    const where = (a[0] as { where?: { apiKeyHash?: unknown } } | undefined)
      ?.where;
    return where?.apiKeyHash === undefined
      ? undefined
      : `auth:${str(where.apiKeyHash)}`;
  });
  const fastify = (app as NestFastifyApplication)
    .getHttpAdapter()
    .getInstance();
  fastify.get('/__bench/loads', (request, reply) => {
    const reset = (request.query as { reset?: string }).reset === '1';
    void reply.send(counter.read(reset));
  });
}
