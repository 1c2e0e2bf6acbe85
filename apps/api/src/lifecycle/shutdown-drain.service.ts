import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { appConfig, type AppConfig } from '../config/app.config.js';
import { AppLifecycle } from './app-lifecycle.service.js';

/** How often idle keep-alive connections are closed while the server closes. */
const IDLE_SWEEP_MS = 50;

/**
 * Orders and bounds the graceful shutdown. Nest runs the
 * `beforeApplicationShutdown` hooks, then closes the HTTP server (that close
 * waits for requests in flight), then runs the `onApplicationShutdown` hooks
 * that close Redis and PostgreSQL. Here, at the first of those steps:
 *
 * 1. readiness starts failing (the app is marked shutting down);
 * 2. on SIGTERM, the listener stays open `SHUTDOWN_READY_DELAY_MS` longer,
 *    so that load balancers see the failing readiness and stop routing
 *    before connections are refused;
 * 3. while the server closes, keep-alive connections are closed as soon as
 *    their last request is answered (the close waits for every connection);
 * 4. requests still running `SHUTDOWN_DRAIN_MS` after the listener closes
 *    get their connections closed, so the close cannot wait forever.
 */
@Injectable()
export class ShutdownDrainService
  implements BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(ShutdownDrainService.name);
  private timer?: NodeJS.Timeout;
  private idleSweep?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly lifecycle: AppLifecycle,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.lifecycle.markShuttingDown();
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      Server | undefined;
    if (!server?.listening) return;
    const { shutdownReadyDelayMs: delayMs, shutdownDrainMs: drainMs } =
      this.app;
    if (signal === 'SIGTERM' && delayMs > 0) {
      this.logger.log(
        `SIGTERM: readiness fails from now on; the listener closes in ${delayMs} ms`,
      );
      await sleep(delayMs);
    }
    this.logger.log(
      `Closing the listener; requests in flight have ${drainMs} ms to finish`,
    );
    this.timer = setTimeout(() => {
      this.logger.warn(
        `Requests still running ${drainMs} ms after the listener closed; closing their connections`,
      );
      server.closeAllConnections();
    }, drainMs);
    this.timer.unref();
    this.idleSweep = setInterval(
      () => server.closeIdleConnections(),
      IDLE_SWEEP_MS,
    );
    this.idleSweep.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
    clearInterval(this.idleSweep);
  }
}
