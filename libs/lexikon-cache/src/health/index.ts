/**
 * `@lexikon/cache/health`: the `@nestjs/terminus` health indicator. A subpath
 * of its own, so that the main entry never loads Terminus (an optional peer).
 */
export { RedisHealthIndicator } from './redis.health.js';
export type { RedisHealthOptions, RedisHealthDetails } from './redis.health.js';
