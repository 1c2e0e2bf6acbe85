/** The authenticated caller, as put on `request.user` by the API key guard. */
export interface Principal {
  id: string;
}

/** The part of a request (Fastify or Express) the guard reads and writes. */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  user?: Principal;
}
