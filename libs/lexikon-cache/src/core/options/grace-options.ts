import {
  describeDuration,
  durationMs,
  type Duration,
} from '../time/duration.js';

/**
 * Time limits of a loader. Past `soft`, an entry within its grace period
 * is served while the load goes on (and fills the entry when it completes);
 * past `hard`, the caller gets `LoaderTimeoutError`, or that entry. `soft`
 * without a grace period has nothing to serve and changes nothing.
 *
 * @example
 * LexikonCacheModule.forRoot({ grace: '10m', timeouts: { soft: '200ms', hard: '3s' } })
 */
export interface LoaderTimeouts {
  soft?: Duration;
  hard?: Duration;
}

/**
 * Early refresh (XFetch): a reader refreshes a fresh entry in the
 * background, before its TTL, with a probability that grows as the entry
 * nears its end and with how long its loader takes: when
 * `loaderMs * beta * -ln(random()) >= msLeft`. `true` is `{ beta: 1 }`; a
 * larger beta refreshes earlier. Default off.
 *
 * @example
 * LexikonCacheModule.forRoot({ earlyRefresh: { beta: 1.5 } })
 */
export type EarlyRefresh = boolean | { beta?: number };

/** Grace period and loader timeouts in ms, as entry policies carry them (absent: none). */
export interface GraceSettings {
  /** At least the stale-while-revalidate window. */
  readonly graceMs?: number;
  readonly staleWhileRevalidateMs?: number;
  readonly softTimeoutMs?: number;
  readonly hardTimeoutMs?: number;
  /** With early refresh: its beta (absent: off). */
  readonly earlyRefreshBeta?: number;
}

export const NO_GRACE: GraceSettings = Object.freeze({});

function ms(
  name: string,
  value: unknown,
  fail: (message: string) => Error,
): number | undefined {
  if (value === undefined) return undefined;
  const out = durationMs(value);
  if (out === undefined) {
    throw fail(
      `${name} must be a positive duration (ms, or a string such as '30s'), got ${describeDuration(value)}`,
    );
  }
  return out;
}

function beta(
  value: unknown,
  inherited: number | undefined,
  fail: (message: string) => Error,
): number | undefined {
  if (value === undefined) return inherited;
  if (value === false) return undefined;
  if (value === true) return 1;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const b = (value as { beta?: unknown }).beta;
    if (b === undefined) return 1;
    if (typeof b === 'number' && Number.isFinite(b) && b > 0) return b;
    throw fail(
      `earlyRefresh.beta must be a finite number above 0, got ${describeDuration(b)}`,
    );
  }
  throw fail(
    `earlyRefresh must be true, false or { beta: number }, got ${describeDuration(value)}`,
  );
}

/**
 * `grace`, `timeouts`, `staleWhileRevalidate` and `earlyRefresh` of the
 * module, a decorator or a call, over `inherited` (what the module says).
 * `false` turns any of them off.
 */
export function resolveGrace(
  grace: Duration | false | undefined,
  timeouts: LoaderTimeouts | false | undefined,
  inherited: GraceSettings,
  fail: (message: string) => Error,
  swr?: Duration | false,
  early?: EarlyRefresh,
): GraceSettings {
  const earlyRefreshBeta = beta(early, inherited.earlyRefreshBeta, fail);
  const swrMs =
    swr === false
      ? undefined
      : (ms('staleWhileRevalidate', swr, fail) ??
        inherited.staleWhileRevalidateMs);
  const own =
    grace === false
      ? undefined
      : (ms('grace', grace, fail) ?? inherited.graceMs);
  // an entry served while it revalidates is kept at least that long
  const graceMs = swrMs === undefined ? own : Math.max(own ?? 0, swrMs);
  let soft = inherited.softTimeoutMs;
  let hard = inherited.hardTimeoutMs;
  if (timeouts === false) {
    soft = hard = undefined;
  } else if (timeouts !== undefined) {
    if (timeouts === null || typeof timeouts !== 'object') {
      throw fail(
        "timeouts must be an object such as { soft: '200ms', hard: '3s' }",
      );
    }
    soft = ms('timeouts.soft', timeouts.soft, fail) ?? soft;
    hard = ms('timeouts.hard', timeouts.hard, fail) ?? hard;
  }
  if (soft !== undefined && hard !== undefined && soft >= hard) {
    throw fail(
      `timeouts.soft (${soft} ms) must be shorter than timeouts.hard (${hard} ms)`,
    );
  }
  if (
    graceMs === undefined &&
    soft === undefined &&
    hard === undefined &&
    earlyRefreshBeta === undefined
  )
    return NO_GRACE;
  const out: GraceSettings = {
    graceMs,
    staleWhileRevalidateMs: swrMs,
    softTimeoutMs: soft,
    hardTimeoutMs: hard,
  };
  // absent, not undefined, when off: policies spread these settings
  return earlyRefreshBeta === undefined ? out : { ...out, earlyRefreshBeta };
}
