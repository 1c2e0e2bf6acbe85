import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { CacheMetadataAccessor } from '../decorators/cache-metadata.accessor.js';
import { CacheEngine } from '../../core/engine/cache-engine.js';
import { PlanExecutor } from '../../declarative/plan-executor.js';
import { compileCachePlan } from '../../declarative/cache-plan.js';
import { CacheDecorationError } from '../../core/errors/lexikon-cache.error.js';
import { methodRootCheck, wrapMethod } from './method-cache.wrapper.js';
import { parameterNames } from './parameter-names.js';
import { compileRoutePlan } from '../routes/route-plan.js';
import { RoutePlanRegistry } from '../routes/route-plan.registry.js';

const ASYNC_FUNCTION_PROTOTYPE = Object.getPrototypeOf(
  async () => undefined,
) as object;

/**
 * Applies the cache decorators to the methods of every provider at start-up
 * (controllers are left to the interceptor, so nothing is cached twice).
 */
@Injectable()
export class CacheExplorer implements OnModuleInit {
  private readonly logger = new Logger('LexikonCache');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly accessor: CacheMetadataAccessor,
    private readonly engine: CacheEngine,
    private readonly routePlans: RoutePlanRegistry,
  ) {}

  onModuleInit(): void {
    this.compileControllers();
    this.wrapProviders();
  }

  /** Handlers run through the interceptor; their plans are compiled (and checked) now. */
  private compileControllers(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const instance = wrapper.instance as object | undefined;
      const prototype = instance
        ? (Object.getPrototypeOf(instance) as object | null)
        : null;
      if (!prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const meta = this.accessor.read(handler);
        if (!meta) continue;
        this.routePlans.set(
          handler,
          compileRoutePlan(prototype, name, handler, meta, this.engine.options),
        );
      }
    }
  }

  private wrapProviders(): void {
    const executor = new PlanExecutor(this.engine);
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (
        wrapper.isAlias ||
        !instance ||
        typeof instance !== 'object' ||
        seen.has(instance)
      )
        continue;
      seen.add(instance);
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      const className = instance.constructor?.name ?? String(wrapper.name);
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const original = (prototype as Record<string, unknown>)[name];
        if (typeof original !== 'function') continue;
        const meta = this.accessor.read(original);
        if (!meta) continue;
        const where = `${className}.${name}`;
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(
            `${where}: cache decorators are not applied to request-scoped or transient providers; move the method to a singleton provider`,
          );
          continue;
        }
        if (Object.getPrototypeOf(original) !== ASYNC_FUNCTION_PROTOTYPE) {
          throw CacheDecorationError.create(
            where,
            'cache decorators need an async method (declare it `async`)',
          );
        }
        const method = original as (
          this: unknown,
          ...args: unknown[]
        ) => Promise<unknown>;
        const names = parameterNames(method);
        const plan = compileCachePlan(
          where,
          meta,
          methodRootCheck(names, method.length),
          this.engine.options,
        );
        instance[name] = wrapMethod(
          executor,
          plan,
          method,
          className,
          name,
          names,
        );
      }
    }
  }
}
