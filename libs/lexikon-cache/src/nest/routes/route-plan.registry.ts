import { Injectable } from '@nestjs/common';
import type { RoutePlan } from './route-plan.js';

/** Plans of controller handlers, compiled at start-up, looked up per request. */
@Injectable()
export class RoutePlanRegistry {
  private readonly plans = new WeakMap<object, RoutePlan | null>();

  get(handler: object): RoutePlan | null | undefined {
    return this.plans.get(handler);
  }

  set(handler: object, plan: RoutePlan | null): void {
    this.plans.set(handler, plan);
  }
}
