import {
  Inject,
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from './metrics-registry.js';
import { routeLabel } from './route-label.js';

export const HTTP_REQUESTS_TOTAL = 'lexikon_http_requests_total';

type RequestLabel = 'method' | 'route' | 'status';

/** The registry's counter, created on first use (a second app in the process reuses it). */
function requestCounter(registry: Registry): Counter<RequestLabel> {
  const existing = registry.getSingleMetric(HTTP_REQUESTS_TOTAL);
  if (existing instanceof Counter) return existing as Counter<RequestLabel>;
  return new Counter<RequestLabel>({
    name: HTTP_REQUESTS_TOTAL,
    help: 'HTTP requests answered by a route, by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
}

/**
 * Counts every request routed to a handler, by the status code actually
 * sent: read when the response has finished, so responses the cache answers
 * (200 or 304), errors mapped by the exception filter and refusals of the
 * guards after it (401 from the API key guard) count too; unknown paths
 * (404 before any route) do not. A guard that always lets the request
 * through, not an interceptor: the cache interceptor runs outermost, and an
 * interceptor inside it never sees a hit.
 */
@Injectable()
export class HttpMetricsGuard implements CanActivate {
  private readonly requests: Counter<RequestLabel>;
  private readonly routes = new WeakMap<object, string>();

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.requests = requestCounter(registry);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const method = http.getRequest<{ method: string }>().method;
    // Fastify's reply wraps the Node response; Express's response is one
    const reply = http.getResponse<{ raw?: ServerResponse } & ServerResponse>();
    const raw = reply.raw ?? reply;
    const route = this.route(context.getClass(), context.getHandler());
    raw.once('finish', () => {
      this.requests.inc({ method, route, status: String(raw.statusCode) });
    });
    return true;
  }

  private route(controller: Type, handler: object): string {
    let route = this.routes.get(handler);
    if (route === undefined) {
      route = routeLabel(controller, handler);
      this.routes.set(handler, route);
    }
    return route;
  }
}
