import { spawn } from 'node:child_process';
import { findFreePort } from './free-port.js';
import { redisCommand } from './redis-raw.js';
import { RedisServerProcess } from './redis-server.js';

export interface RedisClusterOptions {
  /** Number of masters, at least 3 (redis-cli refuses fewer); default 3. */
  masters?: number;
  /** Replicas per master; default 1. */
  replicasPerMaster?: number;
}

const READY_TIMEOUT_MS = 20_000;
const CLUSTER_BUS_OFFSET = 10_000;

const running = new Set<RedisClusterProcess>();

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function startNode(): Promise<RedisServerProcess> {
  for (let attempt = 1; ; attempt++) {
    // The cluster bus listens on port + 10000, so both must be free.
    const port = await findFreePort({ alsoFreeAtOffset: CLUSTER_BUS_OFFSET });
    try {
      return await RedisServerProcess.start({
        port,
        args: [
          '--cluster-enabled',
          'yes',
          // relative to the node's own temp dir (its --dir)
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
        ],
      });
    } catch (error) {
      const portTaken = /address already in use/i.test(String(error));
      if (!portTaken || attempt >= 5) throw error;
    }
  }
}

function runRedisCli(args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-cli', args, {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        error.code === 'ENOENT'
          ? new Error(
              'redis-cli is not on PATH (Debian/Ubuntu: apt-get install redis-server)',
            )
          : error,
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        reject(
          new Error(
            `redis-cli ${args.slice(0, 2).join(' ')} failed (${signal ?? `exit code ${code}`}):\n${output}`,
          ),
        );
      }
    });
  });
}

/** Parses `CLUSTER INFO` output into a map. */
function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * A throwaway Redis Cluster on loopback ports: `masters` masters with
 * `replicasPerMaster` replicas each (3 + 3 by default), no persistence.
 * Stop it in afterAll (`stopAllRedisClusters()` stops all of a test file's).
 */
export class RedisClusterProcess {
  private constructor(
    /** The node processes, masters and replicas, for fault injection. */
    readonly servers: readonly RedisServerProcess[],
  ) {}

  static async start(
    options: RedisClusterOptions = {},
  ): Promise<RedisClusterProcess> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 1;
    if (!Number.isInteger(masters) || masters < 3) {
      throw new Error('RedisClusterProcess needs at least 3 masters');
    }
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new Error('replicasPerMaster must be a whole number >= 0');
    }
    const total = masters * (1 + replicas);
    const started = await Promise.allSettled(
      Array.from({ length: total }, () => startNode()),
    );
    const servers = started.flatMap((r) =>
      r.status === 'fulfilled' ? [r.value] : [],
    );
    const cluster = new RedisClusterProcess(servers);
    try {
      const failed = started.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      await runRedisCli(
        [
          '--cluster',
          'create',
          ...servers.map((s) => `${s.host}:${s.port}`),
          '--cluster-replicas',
          String(replicas),
          '--cluster-yes',
        ],
        READY_TIMEOUT_MS,
      );
      await cluster.waitUntilReady(total);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    running.add(cluster);
    return cluster;
  }

  /** Every node's address (masters first, in creation order). */
  get nodes(): { host: string; port: number }[] {
    return this.servers.map((s) => ({ host: s.host, port: s.port }));
  }

  /** Stops every node (SIGTERM, waits for exit) and removes their temp dirs. */
  async stop(): Promise<void> {
    running.delete(this);
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  /** Waits until every node reports cluster_state:ok and knows all nodes. */
  private async waitUntilReady(total: number): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = '';
    for (;;) {
      const states = await Promise.all(
        this.servers.map(async (s) => {
          try {
            const info = parseInfo(
              String(await redisCommand(s.port, ['CLUSTER', 'INFO'])),
            );
            const ok =
              info.get('cluster_state') === 'ok' &&
              Number(info.get('cluster_known_nodes')) === total;
            return ok
              ? undefined
              : `${s.port}: state ${info.get('cluster_state')}, knows ${info.get('cluster_known_nodes')}/${total} nodes`;
          } catch (error) {
            return `${s.port}: ${String(error)}`;
          }
        }),
      );
      const notReady = states.filter((s) => s !== undefined);
      if (notReady.length === 0) return;
      last = notReady.join('; ');
      if (Date.now() > deadline) {
        throw new Error(
          `Redis Cluster not ready within ${READY_TIMEOUT_MS} ms: ${last}`,
        );
      }
      await sleep(50);
    }
  }
}

/** Stops every RedisClusterProcess this test file started. For afterAll. */
export async function stopAllRedisClusters(): Promise<void> {
  await Promise.all([...running].map((cluster) => cluster.stop()));
}
