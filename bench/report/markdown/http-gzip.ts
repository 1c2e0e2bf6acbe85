import { fmtNum, fmtRatio, fmtSpread } from '../format.js';
import type { GzipCase, HttpGzipResults } from '../results.js';
import { table } from './table.js';

const LABELS: Record<GzipCase, string> = {
  plain: '`httpCompression` off',
  gzip: '`httpCompression`, client accepts gzip',
  'gzip-identity-client': '`httpCompression`, client without gzip',
};

/** One line per case, for the console summary. */
export function httpGzipLines(g: HttpGzipResults): string[] {
  return g.cases.map(
    (c) =>
      `  ${LABELS[c.case].replaceAll('`', '').padEnd(40)} ${fmtNum(c.rps.median)} req/s, ${fmtNum(c.cpuUsPerReq.median, 1)} µs CPU/req, ${fmtNum(c.wireBytesPerReq)} B on the wire per hit`,
  );
}

export function httpGzipSection(g: HttpGzipResults): string[] {
  const out: string[] = [];
  out.push(
    '',
    `## A ${fmtNum(g.jsonBytes / 1024, 1)} KB JSON answer hit plain and gzip-encoded (${g.adapter}, Redis)`,
    '',
    `${g.pages} pages of ${g.pageTerms} terms, every request a hit; rounds interleave the three. CPU µs per request is the server's (pinned); "vs off" is per round.`,
    '',
  );
  out.push(
    table(
      [
        'Case',
        'req/s (median, min–max)',
        'CPU µs/req',
        'vs off',
        'body B',
        'B on the wire / hit',
        'other on server CPU %',
      ],
      g.cases.map((c) => [
        LABELS[c.case],
        fmtSpread(c.rps),
        fmtSpread(c.cpuUsPerReq, 1),
        c.case === 'plain' ? '1×' : fmtRatio(g.cpuVsPlain[c.case]),
        fmtNum(c.bodyBytes),
        fmtNum(c.wireBytesPerReq),
        fmtSpread(c.serverCoreOtherPct, 1),
      ]),
    ),
  );
  return out;
}
