import { dirname, join } from 'node:path';

/**
 * Extends the Nest CLI's rspack defaults: the seed script and the TypeORM
 * CLI data source are built next to the app (dist/apps/api/seed.js,
 * dist/apps/api/data-source.js), and `import.meta` is left to run time so
 * that `import.meta.url` names the built file, not the source file.
 *
 * @param {import('@rspack/core').Configuration} options the Nest defaults
 * @returns {import('@rspack/core').Configuration}
 */
export default function apiRspackConfig(options) {
  const main = /** @type {string} */ (options.entry);
  return {
    ...options,
    entry: {
      main,
      seed: join(dirname(main), 'database', 'seed', 'seed.ts'),
      'data-source': join(dirname(main), 'database', 'data-source.ts'),
    },
    output: { ...options.output, filename: 'apps/api/[name].js' },
    module: {
      ...options.module,
      parser: { javascript: { importMeta: false } },
    },
  };
}
