/*
 * One instance of the coherence figure: a CacheService with the in-process
 * tier on the bench Redis that keeps reading a set of tagged keys, so that
 * it holds them in its tier and writers must wait for its acknowledgement
 * (or its lease). It is a process of its own so that the runner can stall
 * it with SIGSTOP. It serves no HTTP: the READY line carries port 0. It
 * exits on SIGTERM and when its stdin closes (the runner died).
 */
import { NestFactory } from '@nestjs/core';
import { CacheService, LexikonCacheModule } from '@lexikon/cache';
import { READY_MARK } from './server-config.js';

/** What the runner tells a coherence instance (as JSON in argv[2]). */
export interface CoherenceNodeConfig {
  readonly redisUrl: string;
  readonly keyPrefix: string;
  /** The tier's lease, ms (the same on every instance and the writer). */
  readonly leaseMs: number;
  readonly keys: readonly string[];
  /** How often the keys are read again (ms): refills the tier after each invalidation. */
  readonly readEveryMs: number;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as CoherenceNodeConfig;
  const app = await NestFactory.createApplicationContext(
    LexikonCacheModule.forRoot({
      redis: { url: config.redisUrl },
      keyPrefix: config.keyPrefix,
      interceptor: false,
      l1: { lease: config.leaseMs },
    }),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  const cache = app.get(CacheService);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const readAll = async (): Promise<void> => {
    await Promise.all(config.keys.map((k) => cache.get(k)));
    if (!stopped) timer = setTimeout(() => void readAll(), config.readEveryMs);
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      stopped = true;
      clearTimeout(timer);
      // closing leaves the tier, so writers stop waiting for this instance
      await app.close();
    })()
      .catch((err: unknown) => {
        process.stderr.write(`coherence node: close failed: ${String(err)}\n`);
      })
      .finally(() => process.exit(0)));
  process.once('SIGTERM', () => void close());
  process.once('SIGINT', () => void close());
  process.stdin.on('end', () => void close());
  process.stdin.on('error', () => void close());
  process.stdin.resume();

  await readAll();
  process.stdout.write(
    `${READY_MARK}${JSON.stringify({ port: 0, pid: process.pid })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `coherence node failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
