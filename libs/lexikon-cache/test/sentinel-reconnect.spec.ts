import { Test, type TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import {
  closeAllFaultProxies,
  FaultProxy,
} from '../../../test/support/fault-proxy.js';
import { ReplicatedGroup } from '../../../test/support/redis-sentinel-group.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';
import { eventually } from './support/bounded.js';

const NAME = 'lexikon-revival';

async function onServer<T>(port: number, q: (r: Redis) => Promise<T>) {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1 });
  r.on('error', () => undefined);
  try {
    return await q(r);
  } finally {
    r.disconnect();
  }
}

/**
 * ioredis ends a Sentinel client for good when a `+switch-master` notice
 * arrives while the client is reconnecting (the notice aborts the connect
 * under way). A killed master makes that likely: the connection drops at
 * once, and the notice follows a few seconds later. Here the race is made
 * certain: the sentinel the client asks first is stalled (a proxy), so the
 * reconnect waits on it while the other sentinel announces the failover.
 */
describe('Sentinel: a failover notice during a reconnect', () => {
  let group: ReplicatedGroup | undefined;
  let module: TestingModule | undefined;

  afterAll(async () => {
    await module?.close();
    await closeAllFaultProxies();
    await group?.stop();
  }, 30_000);

  it('does not leave the store disconnected for good', async () => {
    group = await ReplicatedGroup.start(NAME, {
      replicas: 1,
      downAfterMs: 1_000,
      failoverTimeoutMs: 4_000,
    });
    const g = group;
    const [first, second] = g.sentinelAddresses;
    const stalled = await FaultProxy.start(first);
    module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: {
            sentinels: [{ host: stalled.host, port: stalled.port }, second],
            name: NAME,
            // only these two: the proxied one is asked first on reconnect
            ioredis: { updateSentinels: false },
          },
          keyPrefix: uniquePrefix('revival'),
          interceptor: false,
        }),
      ],
    }).compile();
    await module.init();
    const cache = module.get(CacheService);
    const oldPort = await g.masterPort();
    await eventually('a write through the sentinel', () => cache.set('k', 1));

    await stalled.setMode('stall');
    const before = stalled.connectionCount;
    await onServer(oldPort, (r) =>
      r.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'),
    );
    await eventually(
      'the reconnect waiting on the stalled sentinel',
      () => stalled.connectionCount > before,
    );

    await g.failover();
    const newPort = await g.untilPromoted(oldPort, 20_000);
    // the notice reaches the client from the sentinel it is subscribed to
    await eventually(
      'the second sentinel naming the new master',
      async () => {
        const addr = await onServer(second.port, (r) =>
          r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME),
        );
        return Array.isArray(addr) && Number(addr[1]) === newPort;
      },
      10_000,
    );
    await new Promise((r) => setTimeout(r, 500));
    await stalled.setMode('pass');

    let n = 0;
    await eventually(
      'writes landing on the new master',
      async () => {
        const key = `after:${n++}`;
        if (!(await cache.set(key, n))) return false;
        const found = await onServer(newPort, (r) => r.keys(`*${key}`));
        return found.length > 0;
      },
      15_000,
    );
  }, 90_000);
});
