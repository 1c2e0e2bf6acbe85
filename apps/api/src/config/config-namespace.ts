import type { Configuration } from './configuration.js';

/**
 * One part of the validated {@link Configuration}, injected by its `KEY`.
 * `createConfigModule()` provides every namespace from the same, single
 * validation of the environment.
 */
export interface ConfigNamespace<K extends keyof Configuration> {
  readonly KEY: string;
  readonly name: K;
}

/** @example export const appConfig = configNamespace('app'); */
export function configNamespace<K extends keyof Configuration>(
  name: K,
): ConfigNamespace<K> {
  return { KEY: `lexikon-config:${name}`, name };
}
