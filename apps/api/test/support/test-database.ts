/**
 * A throwaway database per e2e file (on the test PostgreSQL the global setup
 * found or started), so that files can run in parallel.
 */
export {
  createTestDatabase,
  type TestDatabase,
} from '../../../../test/support/database.js';
