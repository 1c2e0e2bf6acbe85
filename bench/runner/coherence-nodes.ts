import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { CoherenceNodeConfig } from '../server/coherence-node.js';
import { onCleanup } from '../support/cleanup.js';
import { sleep } from '../support/stats.js';
import { ServerProcess } from './server-process.js';

const NODE_ENTRY = fileURLToPath(
  new URL('../server/coherence-node.js', import.meta.url),
);

/**
 * A coherence instance's process, which the runner can stall (SIGSTOP) and
 * resume (SIGCONT). A stalled process handles no SIGTERM, so every way out
 * resumes it first: its stop, and a cleanup of its own that runs before the
 * server's (cleanups run last-registered first).
 */
export class CoherenceNode {
  private stalledNow = false;
  private readonly unregister: () => void;

  private constructor(private readonly server: ServerProcess) {
    this.unregister = onCleanup(`resume ${server.name}`, () => this.resume());
  }

  static async start(
    name: string,
    config: CoherenceNodeConfig,
  ): Promise<CoherenceNode> {
    const server = await ServerProcess.launch(
      {
        name,
        entry: NODE_ENTRY,
        args: [JSON.stringify(config)],
        env: { ...process.env, NODE_ENV: 'production' },
      },
      undefined,
    );
    return new CoherenceNode(server);
  }

  get name(): string {
    return this.server.name;
  }

  stall(): void {
    this.server.assertRunning();
    process.kill(this.server.pid, 'SIGSTOP');
    this.stalledNow = true;
  }

  resume(): void {
    if (!this.stalledNow) return;
    this.stalledNow = false;
    try {
      process.kill(this.server.pid, 'SIGCONT');
    } catch {
      // already gone
    }
  }

  async stop(): Promise<void> {
    this.resume();
    this.unregister();
    await this.server.stop();
  }
}

/** Members of the tier whose lease runs now (by the Redis clock), from its state hash. */
export async function liveMembers(
  redis: Redis,
  keyPrefix: string,
): Promise<number> {
  const [state, [sec, usec]] = await Promise.all([
    redis.hgetall(`${keyPrefix}{l1}`),
    redis.time(),
  ]);
  const now = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  return Object.entries(state).filter(
    ([field, until]) => field.startsWith('m:') && Number(until) > now,
  ).length;
}

/** Waits (bounded) until `count` members hold a running lease; throws past `maxMs`. */
export async function awaitMembers(
  redis: Redis,
  keyPrefix: string,
  count: number,
  maxMs: number,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = -1;
  while (Date.now() < deadline) {
    seen = await liveMembers(redis, keyPrefix);
    if (seen === count) return;
    await sleep(50);
  }
  throw new Error(
    `coherence: expected ${count} tier members with a running lease, found ${seen} after ${maxMs} ms`,
  );
}
