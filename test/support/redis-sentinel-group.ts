import { Redis } from 'ioredis';
import { RedisServerProcess } from './redis-server.js';
import {
  startSentinel,
  stopSentinel,
  type SentinelOptions,
  type StartedSentinel,
} from './redis-sentinel.js';

export interface ReplicatedGroupOptions extends SentinelOptions {
  /** Replicas of the first master (1 by default). */
  replicas?: number;
  /** Sentinels watching it (3 by default; the quorum is a majority). */
  sentinels?: number;
}

const READY_BOUND_MS = 20_000;

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function untilTrue(
  what: string,
  check: () => Promise<boolean>,
  boundMs: number,
): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not answering yet: ask again
    }
    if (Date.now() > deadline) throw new Error(`${what} within ${boundMs} ms`);
    await delay(50);
  }
}

/** One short-lived connection for one question. */
async function ask<T>(port: number, q: (r: Redis) => Promise<T>): Promise<T> {
  const r = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  r.on('error', () => undefined);
  try {
    await r.connect();
    return await q(r);
  } finally {
    r.disconnect();
  }
}

function flatPairs(reply: unknown): Record<string, string>[] {
  if (!Array.isArray(reply)) return [];
  return reply.map((row: unknown) => {
    const out: Record<string, string> = {};
    const a = Array.isArray(row) ? (row as unknown[]) : [];
    for (let i = 0; i + 1 < a.length; i += 2)
      out[String(a[i])] = String(a[i + 1]);
    return out;
  });
}

/**
 * A master, its replicas and sentinels on free loopback ports, ready for a
 * failover: every replica in sync and every sentinel knowing every replica
 * and every other sentinel. `stop()` kills every process, whatever state a
 * failed test left them in.
 */
export class ReplicatedGroup {
  private constructor(
    readonly name: string,
    readonly servers: readonly RedisServerProcess[],
    readonly sentinels: readonly StartedSentinel[],
  ) {}

  static async start(
    name: string,
    options: ReplicatedGroupOptions = {},
  ): Promise<ReplicatedGroup> {
    const servers: RedisServerProcess[] = [];
    const sentinels: StartedSentinel[] = [];
    const group = new ReplicatedGroup(name, servers, sentinels);
    try {
      const master = await RedisServerProcess.start();
      servers.push(master);
      const replicas = options.replicas ?? 1;
      for (let i = 0; i < replicas; i++)
        servers.push(
          await RedisServerProcess.start({
            args: ['--replicaof', master.host, String(master.port)],
          }),
        );
      await untilTrue(
        'replicas in sync',
        async () =>
          (await ask(master.port, (r) => r.info('replication'))).includes(
            `connected_slaves:${replicas}`,
          ) &&
          (
            await Promise.all(
              servers
                .slice(1)
                .map((s) => ask(s.port, (r) => r.info('replication'))),
            )
          ).every((info) => info.includes('master_link_status:up')),
        READY_BOUND_MS,
      );
      const count = options.sentinels ?? 3;
      const quorum = options.quorum ?? Math.floor(count / 2) + 1;
      for (let i = 0; i < count; i++)
        sentinels.push(
          await startSentinel(master, name, { ...options, quorum }),
        );
      await untilTrue(
        'sentinels know each other and the replicas',
        async () => {
          for (const s of sentinels) {
            const known = await ask(s.port, async (r) => ({
              replicas: flatPairs(await r.call('SENTINEL', 'replicas', name)),
              peers: flatPairs(await r.call('SENTINEL', 'sentinels', name)),
            }));
            const ok = known.replicas.filter(
              (x) => !x['flags']?.includes('down'),
            );
            if (ok.length < replicas || known.peers.length < count - 1)
              return false;
          }
          return true;
        },
        READY_BOUND_MS,
      );
      return group;
    } catch (error) {
      await group.stop();
      throw error;
    }
  }

  get sentinelAddresses(): { host: string; port: number }[] {
    return this.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
  }

  /** The master's port as the first sentinel that answers names it. */
  async masterPort(): Promise<number> {
    for (const s of this.sentinels) {
      try {
        const addr = (await ask(s.port, (r) =>
          r.call('SENTINEL', 'get-master-addr-by-name', this.name),
        )) as string[] | null;
        if (addr) return Number(addr[1]);
      } catch {
        // that sentinel is gone: ask the next
      }
    }
    throw new Error('no sentinel names a master');
  }

  server(port: number): RedisServerProcess {
    const s = this.servers.find((x) => x.port === port);
    if (!s) throw new Error(`no server of the group on port ${port}`);
    return s;
  }

  /** `SENTINEL FAILOVER`: a replica is promoted without any agreement. */
  async failover(): Promise<void> {
    await ask(this.sentinels[0].port, (r) =>
      r.call('SENTINEL', 'FAILOVER', this.name),
    );
  }

  /**
   * Waits until the sentinels name a master other than `oldPort` and that
   * master says it is one (role master, accepting writes).
   */
  async untilPromoted(oldPort: number, boundMs = 20_000): Promise<number> {
    let port = oldPort;
    await untilTrue(
      'a replica promoted',
      async () => {
        port = await this.masterPort();
        if (port === oldPort) return false;
        const role = (await ask(port, (r) => r.call('ROLE'))) as unknown[];
        return role[0] === 'master';
      },
      boundMs,
    );
    return port;
  }

  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((s) => stopSentinel(s)));
    await Promise.all(this.servers.map((s) => s.stop()));
  }
}
