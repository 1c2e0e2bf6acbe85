// Test files import the port helper from here; it is the one the app's
// embedded PostgreSQL uses.
export {
  findFreePort,
  type FindFreePortOptions,
} from '../../apps/api/src/common/net/free-port.js';
