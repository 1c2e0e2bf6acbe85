import {
  ValidationPipe,
  type DynamicModule,
  type INestApplication,
  type LoggerService,
  type LogLevel,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { createConfigModule } from './config/config.module.js';
import { logLevelsFrom } from './config/configuration.js';
import { setupOpenApi } from './docs/openapi.js';

export type HttpPlatform = 'fastify' | 'express';

export interface CreateAppOptions {
  /** Fastify (default) or Express. */
  platform?: HttpPlatform;
  /** Overrides the logger levels derived from `LOG_LEVEL`. */
  logger?: LoggerService | LogLevel[] | false;
}

/**
 * Global behaviour every instance of the app has, whatever the adapter:
 * validation, security headers, shutdown hooks, OpenAPI docs.
 */
export function configureApp<T extends INestApplication>(app: T): T {
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
    }),
  );
  // helmet's defaults, except that plain-HTTP deployments (and localhost) keep
  // working: no upgrade-insecure-requests.
  app.useSecurityHeaders({
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
  });
  // After a graceful shutdown the process exits with 0 (Nest's default
  // re-raises the signal, which ends the process with 128 + signal number).
  app.enableShutdownHooks([], { useProcessExit: true });
  setupOpenApi(app);
  return app;
}

async function createExpressApp(
  module: DynamicModule,
  bodyLimitBytes: number,
  logger: LoggerService | LogLevel[] | false,
): Promise<INestApplication> {
  const { ExpressAdapter } = await import('@nestjs/platform-express');
  const app = await NestFactory.create<NestExpressApplication>(
    module,
    new ExpressAdapter(),
    {
      logger,
      abortOnError: false,
      bodyParser: false,
    },
  );
  app.useBodyParser('json', { limit: bodyLimitBytes });
  return app;
}

/**
 * Builds the configured (not yet listening) Lexikon API from the environment.
 * Used by `main.ts` and by the tests, so both run the same app.
 *
 * @throws ConfigValidationError when a variable is invalid.
 * @example
 * const app = await createApp();
 * await app.listen(3000, '0.0.0.0');
 */
export async function createApp(
  options: CreateAppOptions = {},
): Promise<INestApplication> {
  const { module: configModule, configuration } = await createConfigModule();
  const settings = configuration.app;
  const logger = options.logger ?? logLevelsFrom(settings.logLevel);
  const module = AppModule.register(configModule);
  const app =
    options.platform === 'express'
      ? await createExpressApp(module, settings.bodyLimitBytes, logger)
      : await NestFactory.create<NestFastifyApplication>(
          module,
          new FastifyAdapter({ bodyLimit: settings.bodyLimitBytes }),
          { logger, abortOnError: false },
        );
  return configureApp(app);
}
