/*
 * A bench server process: one variant on one adapter, listening on a free
 * loopback port. The runner starts it (pinned to its own CPU), reads the
 * READY line from stdout and stops it with SIGTERM; it also exits when its
 * stdin closes, so it never outlives the runner.
 */
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { READY_MARK, type BenchServerConfig } from './server-config.js';
import { benchAppModule } from './variant-modules.js';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as BenchServerConfig;
  const app: INestApplication = await NestFactory.create(
    await benchAppModule(config),
    config.adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(),
    { logger: ['error', 'warn'], abortOnError: false },
  );
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as { address(): AddressInfo }).address();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= app
      .close()
      .catch((err: unknown) => {
        process.stderr.write(`bench server: close failed: ${String(err)}\n`);
      })
      .finally(() => process.exit(0)));
  process.once('SIGTERM', () => void close());
  process.once('SIGINT', () => void close());
  process.stdin.on('end', () => void close());
  process.stdin.on('error', () => void close());
  process.stdin.resume();

  process.stdout.write(
    `${READY_MARK}${JSON.stringify({ port: address.port, pid: process.pid })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench server failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
