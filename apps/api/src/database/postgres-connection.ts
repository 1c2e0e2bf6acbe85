import { Logger } from '@nestjs/common';
import { redactUrl } from '../common/net/redact-url.js';
import { ConfigValidationError } from '../config/config-validation.error.js';
import type { DatabaseSettings } from '../config/configuration.js';
import type { PostgresConnection } from './data-source-options.js';
import { EmbeddedPostgresServer } from './embedded-postgres/embedded-postgres.server.js';
import { EmbeddedPostgresMissingError } from './embedded-postgres/package-loader.js';

/** The port the embedded PostgreSQL uses when it is free. */
export const EMBEDDED_PREFERRED_PORT = 5433;

export interface ResolvedPostgres {
  connection: PostgresConnection;
  /** Set when an embedded PostgreSQL was started for this connection. */
  embedded?: EmbeddedPostgresServer;
}

/**
 * Turns database settings into a connection, starting the embedded
 * PostgreSQL when neither `DATABASE_URL` nor `DB_HOST` is set.
 */
export async function resolvePostgres(
  settings: DatabaseSettings,
): Promise<ResolvedPostgres> {
  const logger = new Logger('Database');
  switch (settings.mode) {
    case 'url':
      logger.log(`Using PostgreSQL at ${redactUrl(settings.url)}`);
      return { connection: { url: settings.url } };
    case 'host': {
      const { mode: _mode, ...connection } = settings;
      logger.log(
        `Using PostgreSQL at ${connection.host}:${connection.port}/${connection.database}`,
      );
      return { connection };
    }
    case 'embedded': {
      const embedded = new EmbeddedPostgresServer({
        dataDir: settings.dataDir,
        database: settings.database,
        preferredPort: EMBEDDED_PREFERRED_PORT,
      });
      try {
        return { connection: await embedded.start(), embedded };
      } catch (error) {
        await embedded.stop();
        // an installation without dev dependencies: say what to set, in one line
        if (error instanceof EmbeddedPostgresMissingError) {
          throw new ConfigValidationError([
            `set DATABASE_URL or DB_HOST: ${error.message}, so no embedded PostgreSQL can be started`,
          ]);
        }
        throw error;
      }
    }
  }
}
