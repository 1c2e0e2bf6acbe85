import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { testRunDir } from '../../../../test/support/test-run.js';

/** Debian's package (`apt-get install -y chromium`), which `.ci/run` installs when missing. */
const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * Flags that keep a headless Chromium quiet on a machine without a network:
 * without the background-networking ones it keeps calling home. Playwright
 * adds `--headless` itself and passes the profile as `--user-data-dir`.
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LAUNCH_TIMEOUT_MS = 30_000;
const CLOSE_TIMEOUT_MS = 10_000;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, if any. */
function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The Chromium binary: Debian's, else `chromium` on PATH (as `.ci/run` checks). */
export function findChromium(): string {
  const found = isExecutable(DEBIAN_CHROMIUM)
    ? DEBIAN_CHROMIUM
    : findOnPath('chromium');
  if (!found) {
    throw new Error(
      `Chromium not found at ${DEBIAN_CHROMIUM} nor on PATH. Install it ` +
        '(Debian/Ubuntu: apt-get install -y chromium); .ci/run does.',
    );
  }
  return found;
}

export interface HeadlessChromium {
  readonly context: BrowserContext;
  /** The browser's version, e.g. `156.0.8078.114`. */
  readonly version: string;
  /** Closes the browser (bounded) and removes its profile. */
  close(): Promise<void>;
}

/**
 * A headless Chromium on a profile of its own (an empty `--user-data-dir`,
 * so no cache or cookie from an earlier run), with bounded default waits.
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const userDataDir = mkdtempSync(join(testRunDir(), 'chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: findChromium(),
      headless: true,
      args: CHROMIUM_FLAGS,
      timeout: LAUNCH_TIMEOUT_MS,
    });
  } catch (error) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw error;
  }
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return {
    context,
    version: context.browser()?.version() ?? 'unknown',
    close: async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          context.close(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new Error(`Chromium did not close in ${CLOSE_TIMEOUT_MS} ms`),
                ),
              CLOSE_TIMEOUT_MS,
            );
          }),
        ]);
      } finally {
        clearTimeout(timer);
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}
