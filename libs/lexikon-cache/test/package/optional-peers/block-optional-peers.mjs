// Preload for `node --import`: any load of an optional peer dependency
// (@nestjs/terminus, prom-client, @opentelemetry/api), through `import` or
// `require()`, throws an error that says so.
import Module, { register } from 'node:module';

register('./optional-peers-hooks.mjs', import.meta.url);

const OPTIONAL =
  /(^|[\\/])(@nestjs[\\/]terminus|prom-client|@opentelemetry[\\/]api)([\\/]|$)/;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (OPTIONAL.test(request)) {
    throw new Error(
      `OPTIONAL PEER LOADED: require(${JSON.stringify(request)})`,
    );
  }
  const found = resolveFilename.call(this, request, ...rest);
  if (OPTIONAL.test(found)) {
    throw new Error(
      `OPTIONAL PEER LOADED: require(${JSON.stringify(request)})`,
    );
  }
  return found;
};
