import { matchesEtag } from './http-reply.js';

interface FastifyLike {
  addHook(
    name: 'onSend',
    hook: (
      request: {
        method: string;
        headers: Record<string, string | string[] | undefined>;
      },
      reply: {
        statusCode: number;
        getHeader(name: string): unknown;
        code(status: number): unknown;
      },
      payload: unknown,
      done: (err: Error | null, payload?: unknown) => void,
    ) => void,
  ): unknown;
}

/**
 * Answers `304 Not Modified` on Fastify when a GET/HEAD response's `ETag`
 * matches the request's `If-None-Match` (Express does this by itself).
 */
export function addNotModifiedHook(instance: unknown): void {
  (instance as FastifyLike).addHook(
    'onSend',
    (request, reply, payload, done) => {
      if (
        reply.statusCode === 200 &&
        (request.method === 'GET' || request.method === 'HEAD')
      ) {
        const etag = reply.getHeader('etag');
        if (
          typeof etag === 'string' &&
          matchesEtag(request.headers['if-none-match'], etag)
        ) {
          reply.code(304);
          done(null, '');
          return;
        }
      }
      done(null, payload);
    },
  );
}
