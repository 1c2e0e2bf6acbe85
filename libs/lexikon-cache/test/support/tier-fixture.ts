import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { Cluster, Redis } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  CachePut,
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import { CacheEngine } from '../../src/core/engine/cache-engine.js';

/** The source of truth the instances of one test share (a database stand-in). */
export class Rows {
  readonly values = new Map<string, number>();
  readonly groups = new Map<string, string>();

  get(id: string): { id: string; v: number; group: string } {
    return {
      id,
      v: this.values.get(id) ?? 0,
      group: this.groups.get(id) ?? 'g',
    };
  }
}

export const ROWS = Symbol('rows');

@Injectable()
export class Items {
  loads = 0;

  constructor(private readonly rows: Rows) {}

  @Cacheable({ key: 'item:{id}', tags: ['group:{result.group}'] })
  async find(id: string) {
    this.loads++;
    return this.rows.get(id);
  }

  @Cacheable({ key: 'plain:{id}' })
  async plain(id: string) {
    this.loads++;
    return this.rows.get(id);
  }

  @Cacheable({ key: 'nol1:{id}', l1: false })
  async noL1(id: string) {
    this.loads++;
    return this.rows.get(id);
  }

  @CacheInvalidate('item:{id}', 'plain:{id}')
  async writeKey(id: string, v: number) {
    this.rows.values.set(id, v);
  }

  @CacheInvalidate({ tags: ['group:{group}'] })
  async writeGroup(group: string, id: string, v: number) {
    this.rows.values.set(id, v);
  }

  @CacheInvalidate({ patterns: ['item:*', 'plain:*'] })
  async writePattern(id: string, v: number) {
    this.rows.values.set(id, v);
  }

  @CachePut({ key: 'plain:{id}' })
  async putPlain(id: string, v: number) {
    this.rows.values.set(id, v);
    return this.rows.get(id);
  }
}

/** Counts the commands a client sends that name `needle` (the entry keys of a test). */
export function countCommands(
  client: Redis | Cluster,
  needle: string,
): {
  readonly count: () => number;
  readonly reset: () => void;
} {
  let n = 0;
  const send = client.sendCommand.bind(client) as (...a: unknown[]) => unknown;
  (
    client as unknown as { sendCommand: (...a: unknown[]) => unknown }
  ).sendCommand = (...args: unknown[]) => {
    const cmd = args[0] as { args?: unknown[] } | undefined;
    if (cmd?.args?.some((a) => String(a).includes(needle))) n++;
    return send(...args);
  };
  return { count: () => n, reset: () => (n = 0) };
}

export interface TierInstance {
  readonly module: TestingModule;
  readonly items: Items;
  readonly cache: CacheService;
  readonly client: Redis | Cluster;
  close(): Promise<void>;
}

/** One application instance with the in-process tier, on a client of its own. */
export async function tierInstance(
  rows: Rows,
  client: Redis | Cluster,
  options: LexikonCacheModuleOptions,
): Promise<TierInstance> {
  const module = await Test.createTestingModule({
    imports: [
      LexikonCacheModule.forRoot({
        client,
        ttlJitter: 0,
        interceptor: false,
        l1: { lease: '600ms', maxLag: '200ms' },
        ...options,
      }),
    ],
    providers: [Items, { provide: Rows, useValue: rows }],
  }).compile();
  await module.init();
  return {
    module,
    items: module.get(Items),
    cache: module.get(CacheService),
    client,
    async close() {
      await module.close();
      client.disconnect();
    },
  };
}

/** Waits until every instance serves from its tier (joined and holding a lease). */
export async function untilServing(
  ...instances: readonly TierInstance[]
): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (instances.every((x) => servingOf(x))) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('the in-process tier never started serving');
}

export function servingOf(x: TierInstance): boolean {
  return x.module.get(CacheEngine).tier?.serving === true;
}
