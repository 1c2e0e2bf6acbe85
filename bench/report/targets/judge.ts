import type {
  BenchResults,
  RatioSummary,
  TargetResult,
  VariantSummary,
} from '../results.js';
import { fmtNum, shortfall } from '../format.js';
import type { Adapter, VariantId } from '../../variants/registry.js';

export type Inputs = Pick<
  BenchResults,
  | 'throughput'
  | 'roundTrips'
  | 'stampede'
  | 'invalidation'
  | 'memory'
  | 'coherence'
  | 'mode'
  | 'app'
  | 'overload'
>;

/** The targets are judged on Fastify, as the reference figures were. */
export const HEADLINE: Adapter = 'fastify';

export function ratio(inputs: Inputs, name: string): RatioSummary | undefined {
  return inputs.throughput?.ratios.find(
    (r) => r.adapter === HEADLINE && r.name === name,
  );
}

export function summary(
  inputs: Inputs,
  id: VariantId,
): VariantSummary | undefined {
  return inputs.throughput?.summaries.find(
    (s) => s.adapter === HEADLINE && s.variant === id,
  );
}

export function notMeasured(
  id: string,
  target: string,
  why: string,
  reference?: string,
): TargetResult {
  return { id, target, measured: '–', met: null, note: why, reference };
}

export function atLeast(
  id: string,
  target: string,
  goal: number,
  value: number,
  measured: string,
  reference?: string,
): TargetResult {
  const met = value >= goal;
  return {
    id,
    target,
    measured,
    met,
    note: met ? '' : shortfall(value, goal, 'atLeast'),
    reference,
  };
}

export function atMost(
  id: string,
  target: string,
  goal: number,
  value: number,
  measured: string,
  reference?: string,
): TargetResult {
  const met = value <= goal;
  return {
    id,
    target,
    measured,
    met,
    note: met ? '' : shortfall(value, goal, 'atMost'),
    reference,
  };
}

export const NOT_RUN = 'figure not run (see --only)';

/** Why a cached variant's throughput figures are not hit figures, if they are not. */
export function notAllHits(s: VariantSummary | undefined): string | undefined {
  if (!s || s.handlerRunsInRounds === 0) return undefined;
  return `invalid: variant ${s.variant} was not all hits (its handler ran ${fmtNum(s.handlerRunsInRounds)} times during the rounds; see Problems)`;
}
