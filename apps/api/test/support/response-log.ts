import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/** A response as the server sent it (a browser shows a revalidated 304 as 200). */
export interface LoggedResponse {
  method: string;
  /** Path and query. */
  url: string;
  status: number;
  /** The request's `If-None-Match`, if any. */
  ifNoneMatch?: string;
  /** The response's headers, names in lower case. */
  headers: Record<string, string>;
}

export interface ResponseLog {
  readonly entries: readonly LoggedResponse[];
  /** Entries for one path (query ignored). */
  forPath(path: string): LoggedResponse[];
  stop(): void;
}

function headerText(value: number | string | string[] | undefined): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/**
 * Records every response the Node HTTP server finishes, whatever the Nest
 * adapter: the network-level view of what a browser was answered.
 */
export function recordResponses(server: Server): ResponseLog {
  const entries: LoggedResponse[] = [];
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    res.once('finish', () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(res.getHeaders())) {
        headers[name.toLowerCase()] = headerText(value);
      }
      const ifNoneMatch = req.headers['if-none-match'];
      entries.push({
        method: req.method ?? '',
        url: req.url ?? '',
        status: res.statusCode,
        ifNoneMatch,
        headers,
      });
    });
  };
  server.on('request', onRequest);
  return {
    entries,
    forPath: (path) =>
      entries.filter((entry) => entry.url.split('?')[0] === path),
    stop: () => {
      server.off('request', onRequest);
    },
  };
}
