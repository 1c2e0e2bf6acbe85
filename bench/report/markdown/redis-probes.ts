import { variant } from '../../variants/registry.js';
import { fmtNum } from '../format.js';
import type { RoundTripResult, StampedeResult } from '../results.js';
import { breakdown, table } from './table.js';

/** Redis round trips per cached hit, from the MONITOR probe. */
export function roundTripSection(rows: readonly RoundTripResult[]): string[] {
  const out: string[] = [];
  out.push('', '## Redis round trips per cached hit (MONITOR probe)', '');
  out.push(
    table(
      [
        'Adapter',
        'Variant',
        'round trips / hit',
        'commands inside scripts / hit',
        'sent by the server',
      ],
      rows.map((x) => [
        x.adapter,
        `${variant(x.variant).number} ${variant(x.variant).label}`,
        fmtNum(x.roundTripsPerReq, 2),
        fmtNum(x.scriptCmdsPerReq, 2),
        breakdown(
          Object.fromEntries(
            Object.entries(x.clientCommands).map(([k, v]) => [
              k,
              v / x.requests,
            ]),
          ),
        ),
      ]),
    ),
  );
  return out;
}

/** Loader calls and latency of concurrent requests on one cold key. */
export function stampedeSection(rows: readonly StampedeResult[]): string[] {
  const out: string[] = [];
  const first = rows[0];
  out.push(
    '',
    `## Stampede: ${first.concurrency} concurrent requests on one cold key, ${first.loaderMs} ms loader`,
    '',
  );
  out.push(
    table(
      [
        'Adapter',
        'Variant',
        'loader calls (per trial)',
        'correct 200s',
        'p50 ms',
        'max ms',
      ],
      rows.map((x) => [
        x.adapter,
        `${variant(x.variant).number} ${variant(x.variant).label}`,
        x.loaderCalls.join(', '),
        `${x.okResponses}/${x.requests}`,
        fmtNum(x.p50Ms, 1),
        fmtNum(x.maxMs, 1),
      ]),
    ),
  );
  return out;
}
