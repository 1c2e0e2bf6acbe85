/*
 * The Lexikon API for the mixed workload, as `createApp()` builds it
 * (apps/api/src/app.factory.ts: AppModule, Fastify, configureApp), from the
 * same configuration variables, listening on a free loopback port. The
 * runner starts it pinned to the server CPU, reads the READY line and stops
 * it with SIGTERM (the app's own graceful shutdown); it also exits when its
 * stdin closes.
 *
 * argv[2] is `{"cache": true | false}`. With cache, the environment says
 * whether the in-process tier is on (`CACHE_L1`, as for the API itself):
 * the runner starts one API with it and one without. Without cache the app
 * is built without its cache module (AppCacheModule, i.e. LexikonCacheModule), so
 * that nothing is cached: no interceptor for the routes, and the decorators
 * of the services (the API-key lookup's @Cacheable, the @CacheInvalidate of
 * writes) stay inert metadata. The health module goes too, as its Redis
 * indicator needs the cache module's store; the workload never calls it.
 */
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { configureApp } from '../../apps/api/src/app.factory.js';
import { AppModule } from '../../apps/api/src/app.module.js';
import { AppCacheModule } from '../../apps/api/src/cache/app-cache.module.js';
import { createConfigModule } from '../../apps/api/src/config/config.module.js';
import { logLevelsFrom } from '../../apps/api/src/config/configuration.js';
import { HealthModule } from '../../apps/api/src/health/health.module.js';
import { countQueries, installLoadCounter } from './load-counter.js';
import { READY_MARK } from './server-config.js';

export interface ApiServerConfig {
  readonly cache: boolean;
  /** Count loads per cache key at `/__bench/loads` (server/load-counter.ts). */
  readonly countLoads?: boolean;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '') as ApiServerConfig;
  if (config.countLoads) countQueries();
  const { module: configModule, configuration } = await createConfigModule();
  const settings = configuration.app;
  const module = AppModule.register(configModule);
  if (!config.cache) {
    module.imports = (module.imports ?? []).filter(
      (m) => m !== AppCacheModule && m !== HealthModule,
    );
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    module,
    new FastifyAdapter({ bodyLimit: settings.bodyLimitBytes }),
    { logger: logLevelsFrom(settings.logLevel), abortOnError: false },
  );
  if (config.countLoads) installLoadCounter(app);
  configureApp(app); // SIGTERM: the app's graceful shutdown, then exit
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as { address(): AddressInfo }).address();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= app
      .close()
      .catch((err: unknown) => {
        process.stderr.write(`api server: close failed: ${String(err)}\n`);
      })
      .finally(() => process.exit(0)));
  process.stdin.on('end', () => void close());
  process.stdin.on('error', () => void close());
  process.stdin.resume();

  process.stdout.write(
    `${READY_MARK}${JSON.stringify({ port: address.port, pid: process.pid })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(
    `api server failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
