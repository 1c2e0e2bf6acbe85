import { CacheOptionsError } from '../core/errors/lexikon-cache.error.js';
import { isModuleNotFound } from '../core/metrics/optional-peer.js';

/** The `prom-client` module, as the adapter uses it. */
export type PromClient = typeof import('prom-client');

/**
 * Loads `prom-client`, an optional peer dependency, only when metrics are
 * asked for; when it is not installed, start-up fails saying so.
 */
export async function loadPromClient(
  load: () => Promise<PromClient> = () => import('prom-client'),
): Promise<PromClient> {
  try {
    return await load();
  } catch (err) {
    if (!isModuleNotFound(err, 'prom-client')) throw err;
    throw new CacheOptionsError(
      'metrics needs prom-client, an optional peer dependency of @lexikon/cache that is not installed: npm install prom-client (or turn the metrics option off)',
    );
  }
}
