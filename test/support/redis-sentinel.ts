import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import {
  hasExited,
  waitForChildExit,
} from '../../apps/api/src/database/embedded-postgres/process-state.js';
import { findFreePort } from './free-port.js';
import type { RedisServerProcess } from './redis-server.js';
import { registerChildProcess, testRunDir } from './test-run.js';

export interface StartedSentinel {
  readonly port: number;
  readonly child: ChildProcess;
}

export interface SentinelOptions {
  /** How soon it takes a silent master for down. */
  downAfterMs?: number;
  /** How many sentinels must agree the master is down (1 by default). */
  quorum?: number;
  /** Bounds each failover attempt (and the pause before the next one). */
  failoverTimeoutMs?: number;
}

/**
 * A Redis Sentinel from the redis-server binary, watching `master` under
 * `name`, once it names the master's address.
 */
export async function startSentinel(
  master: Pick<RedisServerProcess, 'host' | 'port'>,
  name: string,
  options: SentinelOptions = {},
): Promise<StartedSentinel> {
  const port = await findFreePort();
  const dir = mkdtempSync(join(testRunDir(), 'sentinel-'));
  const conf = join(dir, 'sentinel.conf');
  const lines = [
    `port ${port}`,
    'bind 127.0.0.1',
    `dir ${dir}`,
    `sentinel monitor ${name} ${master.host} ${master.port} ${options.quorum ?? 1}`,
  ];
  if (options.failoverTimeoutMs !== undefined)
    lines.push(
      `sentinel failover-timeout ${name} ${options.failoverTimeoutMs}`,
    );
  if (options.downAfterMs !== undefined)
    lines.push(
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs}`,
    );
  writeFileSync(conf, [...lines, ''].join('\n'));
  const child = spawn('redis-server', [conf, '--sentinel'], {
    stdio: 'ignore',
  });
  if (child.pid) registerChildProcess(child.pid, 'redis-sentinel');
  const probe = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => 50,
  });
  try {
    for (let i = 0; i < 100; i++) {
      try {
        if (probe.status === 'wait') await probe.connect();
        const addr = (await probe.call(
          'SENTINEL',
          'get-master-addr-by-name',
          name,
        )) as string[] | null;
        if (addr?.[1] === String(master.port)) return { port, child };
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('sentinel did not come up');
  } finally {
    probe.disconnect();
  }
}

/** SIGKILL, then waits until the sentinel has exited. */
export async function stopSentinel(sentinel: StartedSentinel): Promise<void> {
  if (hasExited(sentinel.child)) return;
  sentinel.child.kill('SIGKILL');
  await waitForChildExit(sentinel.child, 5_000);
}
