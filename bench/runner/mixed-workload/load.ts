import autocannon from 'autocannon';
import { onCleanup } from '../../support/cleanup.js';
import { LatencyHistogram } from '../../support/stats.js';
import type { MixedGenerator } from './generator.js';
import { KINDS } from './kinds.js';

export interface Tally {
  requests: number;
  hits: number;
  misses: number;
  bypasses: number;
  noHeader: number;
  ms: number;
}

export interface LoadOutcome {
  readonly requests: number;
  readonly durationSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly statuses: Record<string, number>;
  readonly errors: number;
  readonly tallies: Tally[];
}

/** Drives the API with the generator for `durationSec`, counting X-Cache answers per kind. */
export async function runMixedLoad(
  url: string,
  generator: MixedGenerator,
  connections: number,
  durationSec: number,
): Promise<LoadOutcome> {
  const histogram = new LatencyHistogram();
  const tallies: Tally[] = KINDS.map(() => ({
    requests: 0,
    hits: 0,
    misses: 0,
    bypasses: 0,
    noHeader: 0,
    ms: 0,
  }));
  const statuses: Record<string, number> = {};
  let lastKind = 0;
  const instance = autocannon({
    url,
    connections,
    pipelining: 1,
    duration: durationSec,
    timeout: 10,
    requests: [
      {
        setupRequest: (req, context) => {
          const r = generator.next();
          context.kind = r.kind;
          return {
            ...req,
            method: r.method,
            path: r.path,
            headers: r.headers,
            body: r.body ?? '',
          };
        },
        onResponse: (status, _body, context, headers) => {
          const kind = typeof context.kind === 'number' ? context.kind : 0;
          lastKind = kind;
          statuses[status] = (statuses[status] ?? 0) + 1;
          const t = tallies[kind];
          t.requests++;
          const x = headers['x-cache'] ?? headers['X-Cache'];
          if (x === 'HIT') t.hits++;
          else if (x === 'MISS') t.misses++;
          else if (x === 'BYPASS') t.bypasses++;
          else t.noHeader++;
        },
      },
    ],
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    histogram.record(responseTime);
    tallies[lastKind].ms += responseTime;
  });
  // on Ctrl-C the load stops before the servers do
  const unregister = onCleanup('mixed load', () => instance.stop());
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    unregister();
  }
  return {
    requests: result.requests.total,
    durationSec: result.duration,
    p50Ms: histogram.quantile(0.5),
    p99Ms: histogram.quantile(0.99),
    statuses,
    errors: result.errors + result.timeouts,
    tallies,
  };
}
