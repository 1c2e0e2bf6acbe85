import { Test, type TestingModule } from '@nestjs/testing';
import {
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';

/** A Nest context holding one cache, as an application would: no interceptor, no TTL jitter (tests time entries). */
export interface ServiceInstance {
  readonly module: TestingModule;
  readonly cache: CacheService;
}

export async function serviceInstance(
  options: LexikonCacheModuleOptions,
): Promise<ServiceInstance> {
  const module = await Test.createTestingModule({
    imports: [
      LexikonCacheModule.forRoot({
        ...options,
        ttlJitter: 0,
        interceptor: false,
      }),
    ],
  }).compile();
  await module.init();
  return { module, cache: module.get(CacheService) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise that stays pending until `open()`: holds a loader where a test wants it. */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** A loader whose source is down. */
export const down = (): Promise<never> =>
  Promise.reject(new Error('database down'));
