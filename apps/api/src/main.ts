import { Logger, type INestApplication } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { appConfig, type AppConfig } from './config/app.config.js';
import { ConfigValidationError } from './config/config-validation.error.js';

async function main(): Promise<void> {
  const logger = new Logger('Bootstrap');
  let app: INestApplication | undefined;
  try {
    app = await createApp();
    const { port } = app.get<AppConfig>(appConfig.KEY);
    await app.listen(port, '0.0.0.0');
    logger.log(
      `Lexikon API listening on 0.0.0.0:${port}; OpenAPI docs at /docs`,
    );
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      logger.error(error.message);
    } else {
      const failure = error instanceof Error ? error : new Error(String(error));
      logger.error(`Start-up failed: ${failure.message}`, failure.stack);
    }
    await app?.close().catch(() => undefined);
    process.exit(1);
  }
}

void main();
