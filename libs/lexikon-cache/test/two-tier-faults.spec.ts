import { Redis } from 'ioredis';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import { RedisServerProcess } from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import {
  countCommands,
  Rows,
  tierInstance,
  untilServing,
  type TierInstance,
} from './support/tier-fixture.js';
import { CacheEngine } from '../src/core/engine/cache-engine.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tierId(x: TierInstance): string {
  const id = x.module.get(CacheEngine).tier?.id;
  if (!id) throw new Error('no tier');
  return id;
}

async function killBus(raw: Redis, x: TierInstance): Promise<void> {
  const list = await raw.client('LIST');
  const line = String(list)
    .split('\n')
    .find((l) => l.includes(`name=lexikon-l1-bus-${tierId(x)}`));
  const id = /\bid=(\d+)/.exec(line ?? '')?.[1];
  if (!id) throw new Error('bus connection not found');
  await raw.client('KILL', 'ID', id);
}

/**
 * When an instance may have missed invalidations (its bus connection was
 * killed or stalled, Redis restarted), it stops serving from its tier until
 * it has resynchronised, and a writer never waits on it forever.
 */
describe('two tiers when the bus or Redis fails', () => {
  let server: RedisServerProcess;
  let raw: Redis;
  let rows: Rows;
  const opened: TierInstance[] = [];

  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });

  beforeEach(() => {
    rows = new Rows();
    raw = new Redis(server.url);
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((x) => x.close()));
    raw.disconnect();
    await closeAllFaultProxies();
  });

  afterAll(async () => {
    await server.stop();
  });

  async function instance(extra = {}): Promise<TierInstance> {
    const x = await tierInstance(rows, new Redis(server.url), {
      keyPrefix: uniquePrefix('l1f'),
      ...extra,
    });
    opened.push(x);
    return x;
  }

  async function pair(extraForB = {}) {
    const keyPrefix = uniquePrefix('l1f');
    const a = await instance({ keyPrefix });
    const b = await instance({ keyPrefix, ...extraForB });
    await untilServing(a, b);
    rows.values.set('1', 1);
    await a.items.find('1');
    await b.items.find('1');
    expect((await b.items.find('1')).v).toBe(1);
    return { a, b, keyPrefix };
  }

  it('stops serving from the tier the moment its bus connection is killed', async () => {
    const { a, b } = await pair();
    await killBus(raw, b);
    await a.items.writeKey('1', 2);
    expect((await b.items.find('1')).v).toBe(2);
    // and serves from it again once it has resynchronised
    await untilServing(b);
    await b.items.find('1');
    const commands = countCommands(b.client, 'item:1');
    expect((await b.items.find('1')).v).toBe(2);
    expect(commands.count()).toBe(0);
  });

  it('drops its tier and resynchronises when a bus message is missing', async () => {
    const { b, keyPrefix } = await pair();
    const state = `${keyPrefix}{l1}`;
    const [inc, epoch] = await raw.hmget(state, 'inc', 'e');
    // a message that covers nothing, but one epoch past the next: the one
    // between was lost
    expect(
      await raw.publish(`${state}:bus`, `${inc} ${Number(epoch) + 2} {}`),
    ).toBe(2);
    await sleep(100);
    await untilServing(b);
    // it emptied its tier: the entry comes from Redis again
    const commands = countCommands(b.client, 'item:1');
    expect((await b.items.find('1')).v).toBe(1);
    expect(commands.count()).toBeGreaterThan(0);
  });

  it('never serves what it may have missed while its bus was stalled, and writers do not wait for it forever', async () => {
    const proxy = await FaultProxy.start({
      host: '127.0.0.1',
      port: server.port,
    });
    const { a, b } = await pair({
      l1: { lease: '600ms', maxLag: '200ms', bus: { url: proxy.url() } },
    });
    await proxy.setMode('stall');
    const started = performance.now();
    await a.items.writeKey('1', 2);
    // bounded by b's lease and lag, not by b
    expect(performance.now() - started).toBeLessThan(5_000);
    expect((await b.items.find('1')).v).toBe(2);
    await a.items.writeKey('1', 3);
    expect((await b.items.find('1')).v).toBe(3);
    // the held messages arrive late, in order; b resynchronises
    await proxy.setMode('pass');
    await untilServing(b);
    expect((await b.items.find('1')).v).toBe(3);
    await a.items.writeKey('1', 4);
    expect((await b.items.find('1')).v).toBe(4);
  });

  it('never serves an entry from before a Redis restart', async () => {
    const { a, b } = await pair();
    await server.stop();
    await server.restart();
    await a.items.writeKey('1', 2);
    expect((await b.items.find('1')).v).toBe(2);
    expect((await a.items.find('1')).v).toBe(2);
    await untilServing(a, b);
    await a.items.writeKey('1', 3);
    expect((await b.items.find('1')).v).toBe(3);
  });
});
