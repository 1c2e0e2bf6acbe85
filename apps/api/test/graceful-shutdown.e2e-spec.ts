import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  acceptsConnections,
  ensureBuiltApp,
  httpCall,
  spawnBuiltApp,
  type BuiltAppProcess,
  type HttpAnswer,
} from './support/built-app.js';
import {
  createTestDatabase,
  type TestDatabase,
} from './support/test-database.js';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import { findFreePort } from '../../../test/support/free-port.js';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

const READY_DELAY_MS = 1000;
const DRAIN_MS = 4000;

async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The built app, run as in production, stopped with SIGTERM. */
describe('graceful shutdown on SIGTERM (e2e, built app)', () => {
  let main: string;
  let db: TestDatabase;
  let redis: RedisServerProcess;
  let pgProxy: FaultProxy;
  let app: BuiltAppProcess | undefined;

  beforeAll(async () => {
    [main, db, redis] = await Promise.all([
      ensureBuiltApp(),
      createTestDatabase('shutdown'),
      RedisServerProcess.start(),
    ]);
    const pg = new URL(db.url);
    pgProxy = await FaultProxy.start({
      host: pg.hostname,
      port: Number(pg.port || 5432),
    });
  }, 120_000);

  afterEach(async () => {
    await app?.kill();
    app = undefined;
    await pgProxy?.setMode('pass');
  });

  afterAll(async () => {
    await closeAllFaultProxies();
    await stopAllRedisServers();
    await db?.drop();
  });

  async function start(drainMs: number): Promise<BuiltAppProcess> {
    const port = await findFreePort();
    const started = spawnBuiltApp(main, port, {
      DATABASE_URL: pgProxy.urlFor(db.url),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: uniquePrefix('shutdown'),
      SHUTDOWN_READY_DELAY_MS: String(READY_DELAY_MS),
      SHUTDOWN_DRAIN_MS: String(drainMs),
      LOG_LEVEL: 'log',
    });
    app = started;
    await started.waitForOutput(/Lexikon API listening/, 30_000);
    await waitFor(
      'the startup probe',
      async () =>
        (await httpCall(port, 'GET', '/health/startup')).status === 200,
      10_000,
    );
    return started;
  }

  /** A registration that waits in PostgreSQL (stalled) and whose request is on the wire. */
  async function slowRequestInFlight(port: number): Promise<{
    answer: Promise<HttpAnswer | Error>;
    settled: () => boolean;
  }> {
    await pgProxy.setMode('stall');
    // as a load balancer would, on a keep-alive connection
    const agent = new Agent({ keepAlive: true });
    let done = false;
    const answer = httpCall(
      port,
      'POST',
      '/users',
      {
        email: `slow-${Date.now()}@example.com`,
        name: 'Slow',
      },
      new Agent({ keepAlive: true }),
    ).then(
      (result) => result,
      // errors of node:http come from another realm than jest's Error
      (error: unknown) => new Error((error as { message?: string }).message),
    );
    void answer.finally(() => {
      done = true;
      agent.destroy();
    });
    // let it reach the handler and the (stalled) database
    await sleep(300);
    expect(done).toBe(false);
    return { answer, settled: () => done };
  }

  it('fails readiness at once, finishes the request in flight, closes, exits 0', async () => {
    const api = await start(DRAIN_MS);
    expect((await httpCall(api.port, 'GET', '/health/ready')).status).toBe(200);
    const slow = await slowRequestInFlight(api.port);

    const signalled = performance.now();
    api.child.kill('SIGTERM');
    await api.waitForOutput(/readiness fails from now on/, 2_000);

    // the listener is still open: the probe is answered, at once, with 503
    const ready = await httpCall(api.port, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      status: 'shutting_down',
      info: {},
      error: {
        app: {
          status: 'down',
          phase: 'shutting-down',
          message: 'shutting down',
        },
      },
      details: {
        app: {
          status: 'down',
          phase: 'shutting-down',
          message: 'shutting down',
        },
      },
    });
    expect(ready.ms).toBeLessThan(500);
    // alive all along: liveness must not get the pod restarted while it drains
    expect((await httpCall(api.port, 'GET', '/health/live')).status).toBe(200);

    // after the ready delay the listener closes; the request is still running
    await waitFor(
      'the listener to close',
      async () => !(await acceptsConnections(api.port)),
      READY_DELAY_MS + 3_000,
    );
    expect(performance.now() - signalled).toBeGreaterThanOrEqual(
      READY_DELAY_MS - 50,
    );
    expect(slow.settled()).toBe(false);

    await pgProxy.setMode('pass');
    const answer = await slow.answer;
    const answered = performance.now();
    expect(answer).not.toBeInstanceOf(Error);
    expect((answer as HttpAnswer).status).toBe(201);

    const exit = await api.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // the keep-alive connection closed once answered: no wait for the drain bound
    expect(performance.now() - answered).toBeLessThan(DRAIN_MS / 2);
    expect(performance.now() - signalled).toBeLessThan(
      READY_DELAY_MS + DRAIN_MS,
    );
    expect(api.output()).not.toMatch(/\bERROR\b/);
  });

  it('closes a request still running when the drain time is up, then exits', async () => {
    const drainMs = 1000;
    const api = await start(drainMs);
    const slow = await slowRequestInFlight(api.port);

    const signalled = performance.now();
    api.child.kill('SIGTERM');
    const answer = await slow.answer;
    const cut = performance.now() - signalled;
    expect(answer).toBeInstanceOf(Error);
    expect((answer as Error).message).toBe('socket hang up');
    expect(cut).toBeGreaterThanOrEqual(READY_DELAY_MS + drainMs - 50);
    expect(cut).toBeLessThan(READY_DELAY_MS + drainMs + 1_500);

    // PostgreSQL still hangs: the pool is closed anyway (TypeORM releases
    // the busy connections), Redis too, and the process ends normally
    expect(await api.exited).toEqual({ code: 0, signal: null });
    expect(performance.now() - signalled).toBeLessThan(
      READY_DELAY_MS + drainMs + 3_000,
    );
    expect(api.output()).toMatch(
      /Requests still running 1000 ms after the listener closed; closing their connections/,
    );
  });
});
