import pg from 'pg';
import { DataSource } from 'typeorm';
import type { DatabaseTimeouts } from '../src/config/configuration.js';
import { AbandonedBackends } from '../src/database/abandoned-backends.js';
import { boundedPoolOptions } from '../src/database/bounded-pool.js';
import { BoundedTransactions } from '../src/database/bounded-transactions.service.js';
import { describeDatabaseFault } from '../src/database/database-fault.js';
import {
  APPLICATION_NAME,
  createDataSourceOptions,
} from '../src/database/data-source-options.js';
import { DatabaseRecovery } from '../src/database/database-recovery.service.js';
import { timeoutSafeClient } from '../src/database/timeout-safe-client.js';
import { TransactionTimeoutError } from '../src/database/transaction-timeout.error.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import { withPg } from '../../../test/support/pg.js';

const TIMEOUTS: DatabaseTimeouts = {
  connectTimeoutMs: 300,
  queryTimeoutMs: 400,
  statementTimeoutMs: 3000,
  transactionTimeoutMs: 600,
  retryAfterSeconds: 1,
};

async function until(
  check: () => boolean | Promise<boolean>,
): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** The pool, the transactions and the recovery of the app, on a real PostgreSQL. */
describe('bounded database calls (e2e)', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let backends: AbandonedBackends;
  let dataSource: DataSource;
  const clients: pg.Client[] = [];

  /** A connection of "the app" (same application_name), not through the proxy. */
  async function appConnection(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: db.url,
      application_name: APPLICATION_NAME,
    });
    client.on('error', () => undefined); // the tests await the errors they expect
    clients.push(client);
    await client.connect();
    return client;
  }

  beforeAll(async () => {
    db = await createTestDatabase('bounded-db');
    const target = new URL(db.url);
    proxy = await FaultProxy.start({
      host: target.hostname,
      port: Number(target.port || 5432),
    });
    backends = new AbandonedBackends();
    dataSource = new DataSource({
      ...createDataSourceOptions({ url: proxy.urlFor(db.url) }),
      logging: false,
      extra: boundedPoolOptions(TIMEOUTS, timeoutSafeClient(backends)),
    });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE scratch (v int)');
  });

  afterEach(async () => {
    await proxy.setMode('pass');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await dataSource?.destroy();
    await closeAllFaultProxies();
    await db?.drop();
  });

  it('closes a connection whose query timed out instead of pooling it', async () => {
    await dataSource.query('SELECT 1');
    await until(() => proxy.connectionCount === 1);
    await proxy.setMode('stall');
    const error: unknown = await dataSource
      .query('SELECT 1')
      .catch((e: unknown) => e);
    expect(describeDatabaseFault(error)?.kind).toBe('no-answer');
    expect(backends.list()).toHaveLength(1);

    await proxy.setMode('pass');
    // the timed-out connection is gone, not back in the pool
    expect(await until(() => proxy.connectionCount === 0)).toBe(true);
    expect(await dataSource.query('SELECT 2 AS n')).toEqual([{ n: 2 }]);
    backends.forget(backends.list());
  });

  it('ends a transaction past its timeout: rolled back, its connection closed', async () => {
    const transactions = new BoundedTransactions(
      dataSource,
      backends,
      TIMEOUTS,
    );
    const started = Date.now();
    const error: unknown = await transactions
      .run(async (tx) => {
        await tx.query('INSERT INTO scratch VALUES (1)');
        // each statement within the query timeout, together past the transaction's
        for (let i = 0; i < 3; i++) await tx.query('SELECT pg_sleep(0.3)');
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionTimeoutError);
    expect(Date.now() - started).toBeLessThan(
      TIMEOUTS.transactionTimeoutMs + 1000,
    );
    expect(backends.list()).toHaveLength(1);

    await transactions.run((tx) => tx.query('INSERT INTO scratch VALUES (2)'));
    const rows = await withPg(
      db.url,
      async (c) => (await c.query('SELECT v FROM scratch')).rows,
    );
    expect(rows).toEqual([{ v: 2 }]);
    backends.forget(backends.list());
  });

  it('settles only once an abandoned process running its statement has finished it', async () => {
    const recovery = new DatabaseRecovery(dataSource, backends, TIMEOUTS);
    const client = await appConnection();
    const sleeping = client.query('SELECT pg_sleep(0.8) AS slept');
    await new Promise((resolve) => setTimeout(resolve, 50));
    backends.remember(client, 'test');
    let settledAt = 0;
    const settled = recovery.whenSettled().then((s) => {
      settledAt = Date.now();
      return s;
    });
    await expect(sleeping).resolves.toMatchObject({ rows: [{ slept: '' }] });
    const finishedAt = Date.now();
    await client.end();
    expect(await settled).toBe(true);
    expect(settledAt).toBeGreaterThanOrEqual(finishedAt);
    expect(backends.list()).toEqual([]);
    recovery.onApplicationShutdown();
  });

  it('ends an abandoned process that sits idle, then settles', async () => {
    const recovery = new DatabaseRecovery(dataSource, backends, TIMEOUTS);
    const client = await appConnection();
    const ended = new Promise<unknown>((resolve) =>
      client.once('error', resolve),
    );
    backends.remember(client, 'test');
    expect(await recovery.whenSettled()).toBe(true);
    expect((await ended) as { code?: string }).toMatchObject({ code: '57P01' });
    expect(backends.list()).toEqual([]);
    recovery.onApplicationShutdown();
  });

  it('tells the waiters it did not settle when the app shuts down first', async () => {
    const recovery = new DatabaseRecovery(dataSource, backends, TIMEOUTS);
    await proxy.setMode('stall');
    const settled = recovery.whenSettled();
    recovery.onApplicationShutdown();
    expect(await settled).toBe(false);
    expect(await recovery.whenSettled()).toBe(false);
  });
});
