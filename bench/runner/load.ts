import autocannon from 'autocannon';
import { onCleanup } from '../support/cleanup.js';
import { LatencyHistogram } from '../support/stats.js';

export interface LoadSettings {
  readonly connections: number;
  readonly durationSec: number;
  /** Request headers (e.g. `accept-encoding`). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadResult {
  /** Completed responses. */
  readonly requests: number;
  readonly durationSec: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** Response bytes on the wire (status line, headers and body) per response. */
  readonly bytesPerResponse: number;
}

/**
 * Drives `baseUrl` with autocannon in this process (the runner is pinned to
 * its own CPU). Connections cycle through `paths`, pre-built once, so the
 * load generator does no per-request work beyond HTTP itself. Latencies are
 * recorded at 10 µs resolution from autocannon's response events.
 */
export async function runLoad(
  baseUrl: string,
  paths: readonly string[],
  settings: LoadSettings,
): Promise<LoadResult> {
  const histogram = new LatencyHistogram();
  const instance = autocannon({
    url: baseUrl,
    connections: settings.connections,
    pipelining: 1,
    duration: settings.durationSec,
    timeout: 10,
    requests: paths.map((path) => ({
      method: 'GET',
      path,
      ...(settings.headers ? { headers: { ...settings.headers } } : {}),
    })),
  });
  instance.on('response', (_client, _status, _bytes, responseTime) =>
    histogram.record(responseTime),
  );
  // on Ctrl-C the load stops before the servers do
  const unregister = onCleanup('load', () => instance.stop());
  let result: autocannon.Result;
  try {
    result = await instance;
  } finally {
    unregister();
  }
  const requests = result.requests.total;
  return {
    requests,
    durationSec: result.duration,
    rps: requests / result.duration,
    p50Ms: histogram.quantile(0.5),
    p99Ms: histogram.quantile(0.99),
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    bytesPerResponse: requests > 0 ? result.throughput.total / requests : 0,
  };
}
