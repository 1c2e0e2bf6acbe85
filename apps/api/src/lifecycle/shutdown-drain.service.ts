import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { appConfig, type AppConfig } from '../config/app.config.js';

/**
 * Bounds the graceful shutdown. Nest closes the HTTP server after the
 * `beforeApplicationShutdown` hooks, and that close waits for requests in
 * flight; the database closes only after it. Requests still running
 * `SHUTDOWN_DRAIN_MS` after the signal get their connections closed.
 */
@Injectable()
export class ShutdownDrainService
  implements BeforeApplicationShutdown, OnApplicationShutdown
{
  private readonly logger = new Logger(ShutdownDrainService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  beforeApplicationShutdown(): void {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      Server | undefined;
    if (!server?.listening) return;
    const drainMs = this.app.shutdownDrainMs;
    this.timer = setTimeout(() => {
      this.logger.warn(
        `Requests still running ${drainMs} ms after shutdown began; closing their connections`,
      );
      server.closeAllConnections();
    }, drainMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.timer);
  }
}
