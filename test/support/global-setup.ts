/*
 * Jest globalSetup. Jest loads it (and global-teardown.ts) through CommonJS
 * require(); commonjs-ts-imports.ts lets the modules it requires import each
 * other as the tests do. The work is in start-services.ts.
 */
import type * as StartServices from './start-services.js';

// oxlint-disable-next-line typescript/no-require-imports -- must run before the next require
require('./commonjs-ts-imports.ts');
// oxlint-disable-next-line typescript/no-require-imports -- resolved by the line above
const { startServices } =
  require('./start-services.js') as typeof StartServices;

export default startServices;
