import { performance } from 'node:perf_hooks';

/**
 * Milliseconds on a clock that never steps backwards (unlike `Date.now()`,
 * which NTP or an operator may move), for every timeout and cool-down.
 */
export function monotonicMs(): number {
  return performance.now();
}
