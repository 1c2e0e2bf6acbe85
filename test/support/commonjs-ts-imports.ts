/*
 * Jest loads globalSetup and globalTeardown through CommonJS require(), with
 * ts-jest compiling each required .ts file. The sources import each other
 * ESM-style (`./pg.js` for pg.ts), which test files resolve through jest's
 * moduleNameMapper but require() does not. Requiring this file first makes
 * require() fall back from a missing relative `.js` file to the `.ts` file
 * beside it, so the global hooks use the same modules as the tests.
 *
 * Node 20 has no public hook for CommonJS resolution (module.registerHooks
 * came with Node 22.15), hence the patch of Module._resolveFilename. It only
 * changes what would otherwise fail with MODULE_NOT_FOUND, in the jest
 * process that runs the global hooks.
 */
import Module from 'node:module';

type ResolveFilename = (
  this: unknown,
  request: string,
  ...rest: unknown[]
) => string;

const loader = Module as unknown as {
  _resolveFilename: ResolveFilename & { tsFallback?: true };
};

if (!loader._resolveFilename.tsFallback) {
  const resolve = loader._resolveFilename;
  const withFallback: ResolveFilename & { tsFallback?: true } = function (
    request,
    ...rest
  ) {
    try {
      return resolve.call(this, request, ...rest);
    } catch (error) {
      const relativeJs = /^\.\.?\/.*\.js$/.test(request);
      if (
        !relativeJs ||
        (error as { code?: unknown }).code !== 'MODULE_NOT_FOUND'
      ) {
        throw error;
      }
      return resolve.call(this, `${request.slice(0, -3)}.ts`, ...rest);
    }
  };
  withFallback.tsFallback = true;
  loader._resolveFilename = withFallback;
}
