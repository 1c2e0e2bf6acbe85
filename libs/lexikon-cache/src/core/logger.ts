/**
 * What the core logs through. Nest's `Logger` satisfies it; the core never
 * imports Nest, so it can be driven by any host.
 */
export interface CacheLogger {
  log(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  error(message: string, stack?: string): void;
}
