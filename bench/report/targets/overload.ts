import { fmtNum } from '../format.js';
import type { TargetResult } from '../results.js';
import { atMost, type Inputs, NOT_RUN, notMeasured } from './judge.js';

const TARGET =
  'overload: at most one load per key per process at a time while the breaker is open';

/** Judged on the slow phase as a whole (breaker open and between opens): stricter than the claim. */
export function overloadTarget(inputs: Inputs): TargetResult {
  const slow = inputs.overload?.phases.find((p) => p.phase === 'slow');
  if (!slow) return notMeasured('overload-single-flight', TARGET, NOT_RUN);
  const healthy = inputs.overload?.phases.find((p) => p.phase === 'healthy');
  const measured = `max ${fmtNum(slow.maxInFlightPerKey)} in flight for one key${slow.hottestKey ? ` (${slow.hottestKey.replace(/:[^:]{20,}$/, ':…')})` : ''}; ${fmtNum(slow.loadsPerSec)} loads/s for ${fmtNum(slow.rps)} req/s (healthy: ${fmtNum(healthy?.loadsPerSec ?? NaN)} for ${fmtNum(healthy?.rps ?? NaN)}); breaker open ${fmtNum(slow.breakerOpenShare * 100, 0)}% of the phase, ${fmtNum(slow.breakerOpens)} opens`;
  if (slow.breakerOpens === 0 && slow.breakerOpenShare === 0)
    return {
      id: 'overload-single-flight',
      target: TARGET,
      measured,
      met: null,
      note: 'invalid: the breaker never opened (Redis was not slowed enough)',
    };
  return atMost(
    'overload-single-flight',
    TARGET,
    1,
    slow.maxInFlightPerKey,
    measured,
  );
}
