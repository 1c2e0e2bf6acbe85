import { canonicalize } from '../../core/keys/canonical-json.js';
import { escapeKeyPart } from '../../core/keys/cache-keys.js';
import type { RootResolver } from '../../core/keys/key-template.js';
import type { CacheCallContext } from '../../declarative/cache-options.types.js';

/** What the interceptor reads of a request, on Express and Fastify alike. */
export interface HttpRequest {
  method: string;
  url: string;
  originalUrl?: string;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
  user?: unknown;
  headers: Record<string, string | string[] | undefined>;
}

export function requestPath(req: HttpRequest): string {
  const url = req.originalUrl ?? req.url;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function hasAny(query: Record<string, unknown>): boolean {
  for (const name in query) if (Object.hasOwn(query, name)) return true;
  return false;
}

/** `http:GET:<path>:<sorted query>`, for a route whose decorator names no key. */
export function defaultHttpKey(req: HttpRequest): string {
  const query = req.query && hasAny(req.query) ? canonicalize(req.query) : '';
  return `http:GET:${escapeKeyPart(requestPath(req))}:${escapeKeyPart(query)}`;
}

/** Template roots of a request: `params`, `query`, `body`, `user`, or a bare name (param, then query, then body). */
export function requestResolver(req: HttpRequest): RootResolver {
  return (root) => {
    switch (root) {
      case 'params':
        return req.params;
      case 'query':
        return req.query;
      case 'body':
        return req.body;
      case 'user':
        return req.user;
    }
    const fromParams = req.params?.[root];
    if (fromParams !== undefined) return fromParams;
    const fromQuery = req.query?.[root];
    if (fromQuery !== undefined) return fromQuery;
    const body = req.body;
    return body && typeof body === 'object'
      ? (body as Record<string, unknown>)[root]
      : undefined;
  };
}

export function requestContext(req: HttpRequest): CacheCallContext {
  return {
    args: [],
    params: req.params,
    query: req.query,
    body: req.body,
    user: req.user,
  };
}

/** Whether the request has a query parameter a key template does not account for. */
export function hasOtherQuery(
  query: Record<string, unknown>,
  known: ReadonlySet<string>,
): boolean {
  for (const name in query) if (!known.has(name)) return true;
  return false;
}
