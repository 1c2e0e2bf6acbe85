// Preload for `node --import`: any load of @nestjs/terminus, through
// `import` or `require()`, throws an error that says so.
import Module, { register } from 'node:module';

register('./terminus-hooks.mjs', import.meta.url);

const TERMINUS = /(^|[\\/])@nestjs[\\/]terminus([\\/]|$)/;
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (TERMINUS.test(request)) {
    throw new Error(`TERMINUS LOADED: require(${JSON.stringify(request)})`);
  }
  const found = resolveFilename.call(this, request, ...rest);
  if (TERMINUS.test(found)) {
    throw new Error(`TERMINUS LOADED: require(${JSON.stringify(request)})`);
  }
  return found;
};
