/*
 * Jest globalTeardown, loaded like global-setup.ts (see there). The work is
 * in stop-services.ts.
 */
import type * as StopServices from './stop-services.js';

// oxlint-disable-next-line typescript/no-require-imports -- must run before the next require
require('./commonjs-ts-imports.ts');
// oxlint-disable-next-line typescript/no-require-imports -- resolved by the line above
const { stopServices } = require('./stop-services.js') as typeof StopServices;

export default stopServices;
