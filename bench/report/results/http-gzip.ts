import type { Spread } from '../../support/stats.js';

/** How the gzip figure's client and server are set: the three it compares. */
export type GzipCase = 'plain' | 'gzip' | 'gzip-identity-client';

export interface GzipCaseSummary {
  readonly case: GzipCase;
  readonly rps: Spread;
  readonly cpuUsPerReq: Spread;
  readonly serverCoreOtherPct: Spread;
  /** Response bytes on the wire per hit (status line and headers included). */
  readonly wireBytesPerReq: number;
  /** The body's bytes as sent (Content-Length). */
  readonly bodyBytes: number;
}

/** A ~36 KB JSON answer, hit on Fastify with and without `httpCompression` (runner/http-gzip.ts). */
export interface HttpGzipResults {
  readonly adapter: string;
  readonly pageTerms: number;
  readonly pages: number;
  /** The JSON body's bytes. */
  readonly jsonBytes: number;
  readonly cases: readonly GzipCaseSummary[];
  /** Per-round ratios of CPU per request against `plain`. */
  readonly cpuVsPlain: Readonly<Record<string, Spread>>;
}
