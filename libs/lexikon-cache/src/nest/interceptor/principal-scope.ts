import { formatKeyValue } from '../../core/keys/key-template.js';
import type { HttpRequest } from './http-request.js';

function defaultPrincipal(request: unknown): string | number | undefined {
  const user = (request as HttpRequest).user;
  if (typeof user === 'string' || typeof user === 'number') return user;
  if (!user || typeof user !== 'object') return undefined;
  const u = user as { id?: unknown; sub?: unknown; userId?: unknown };
  const id = u.id ?? u.sub ?? u.userId;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** Marks a principal's own copy of an entry: `<key>:~u:<principal>`. */
const SCOPE_SEGMENT = ':~u:';

/**
 * Who a request belongs to, for private entries. A request that carries
 * credentials (a credential header, or `req.user`) but no principal we can
 * name is never served from, or stored in, a private entry.
 */
export class PrincipalScope {
  private readonly principal: (
    request: unknown,
  ) => string | number | undefined | null;
  /** `Vary` of private responses: every credential header. */
  readonly vary: string;

  constructor(
    principal:
      ((request: unknown) => string | number | undefined | null) | undefined,
    private readonly credentialHeaders: readonly string[],
  ) {
    this.principal = principal ?? defaultPrincipal;
    this.vary = credentialHeaders
      .map((h) =>
        h.replace(
          /(^|-)([a-z])/g,
          (_m, d: string, c: string) => d + c.toUpperCase(),
        ),
      )
      .join(', ');
  }

  hasCredentials(req: HttpRequest): boolean {
    if (req.user !== undefined) return true;
    for (const h of this.credentialHeaders) if (req.headers[h]) return true;
    return false;
  }

  /** The key suffix of this request's copy ('' when anonymous), or undefined when it must not be cached. */
  suffix(req: HttpRequest): string | undefined {
    const who = this.principal(req);
    if (who !== undefined && who !== null) {
      return SCOPE_SEGMENT + formatKeyValue(who);
    }
    return this.hasCredentials(req) ? undefined : '';
  }
}
