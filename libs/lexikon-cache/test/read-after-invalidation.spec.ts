import { jest } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Cluster, Redis } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  CacheService,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';
import {
  rawClient,
  stopSharedCluster,
  targetOptions,
  type StoreTarget,
} from './support/store-fixture.js';

/** Rows with a latch: a load reads its value, then waits for the latch. */
class Rows {
  readonly values = new Map<string, number>();
  gate: Promise<void> | undefined;
  loads = 0;

  async load(id: string): Promise<{ id: string; v: number }> {
    this.loads++;
    const v = this.values.get(id) ?? 0;
    if (this.gate) await this.gate;
    return { id, v };
  }
}

@Injectable()
class Reads {
  constructor(private readonly rows: Rows) {}

  @Cacheable({ key: 'k:{id}' })
  async byKey(id: string) {
    return this.rows.load(id);
  }

  @Cacheable({ key: 'early:{id}', tags: ['row:{id}'] })
  async byEarlyTag(id: string) {
    return this.rows.load(id);
  }

  @Cacheable({ key: 'late:{id}', tags: ['row:{result.id}'] })
  async byResultTag(id: string) {
    return this.rows.load(id);
  }

  @Cacheable({ key: 'pat:{id}' })
  async byPattern(id: string) {
    return this.rows.load(id);
  }
}

@Injectable()
class Writes {
  constructor(private readonly rows: Rows) {}

  @CacheInvalidate('k:{id}')
  async key(id: string, v: number) {
    this.rows.values.set(id, v);
  }

  @CacheInvalidate({ tags: ['row:{id}'] })
  async tag(id: string, v: number) {
    this.rows.values.set(id, v);
  }

  @CacheInvalidate({ patterns: ['pat:*'] })
  async pattern(id: string, v: number) {
    this.rows.values.set(id, v);
  }
}

type Mode = 'key' | 'early tag' | 'result tag' | 'pattern';

function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) {
    await new Promise((r) => setTimeout(r, 2));
  }
  if (!cond()) throw new Error('condition never held');
}

async function instance(rows: Rows, options: LexikonCacheModuleOptions) {
  const module: TestingModule = await Test.createTestingModule({
    imports: [LexikonCacheModule.forRoot({ ...options, ttlJitter: 0 })],
    providers: [Reads, Writes, { provide: Rows, useValue: rows }],
  }).compile();
  await module.init();
  return { module, reads: module.get(Reads), writes: module.get(Writes) };
}

type Setup = [StoreTarget, 'one instance' | 'two instances'];

/**
 * A read that starts after an invalidation resolved never returns data
 * loaded before that write, even when a load of the same key, begun before
 * the write, is still in flight in the reader's own process: by key, by a
 * tag known before the call, by a tag learnt from the result, by pattern.
 */
describe.each<Setup>([
  ['memory', 'one instance'],
  ['redis', 'one instance'],
  ['redis', 'two instances'],
  ['cluster', 'two instances'],
])('a read after an invalidation (%s, %s)', (target, instances) => {
  const prefix = uniquePrefix('after-write');
  let rows: Rows;
  let reader: Awaited<ReturnType<typeof instance>>;
  let writer: Awaited<ReturnType<typeof instance>>;
  let raw: Redis | Cluster | undefined;

  beforeEach(async () => {
    rows = new Rows();
    const options = { ...(await targetOptions(target)), keyPrefix: prefix };
    reader = await instance(rows, options);
    writer =
      instances === 'two instances' ? await instance(rows, options) : reader;
    raw = await rawClient(target);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    if (raw) {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
    await reader.module.close();
    if (writer !== reader) await writer.module.close();
  });

  afterAll(async () => {
    await stopSharedCluster();
  });

  const readers: Record<Mode, (id: string) => Promise<{ v: number }>> = {
    key: (id) => reader.reads.byKey(id),
    'early tag': (id) => reader.reads.byEarlyTag(id),
    'result tag': (id) => reader.reads.byResultTag(id),
    pattern: (id) => reader.reads.byPattern(id),
  };
  const writers: Record<Mode, (id: string, v: number) => Promise<void>> = {
    key: (id, v) => writer.writes.key(id, v),
    'early tag': (id, v) => writer.writes.tag(id, v),
    'result tag': (id, v) => writer.writes.tag(id, v),
    pattern: (id, v) => writer.writes.pattern(id, v),
  };

  async function readStartedAfterWrite(mode: Mode, id: string) {
    rows.values.set(id, 1);
    const gate = latch();
    rows.gate = gate.promise;
    const before = readers[mode](id);
    await until(() => rows.loads === 1);
    await writers[mode](id, 2);
    rows.gate = undefined;
    const after = readers[mode](id);
    gate.open();
    return { before: await before, after: await after };
  }

  for (const mode of ['key', 'early tag', 'result tag', 'pattern'] as const) {
    it(`by ${mode}: never hands it the value of a load begun before the write`, async () => {
      const { before, after } = await readStartedAfterWrite(
        mode,
        `${mode.replace(' ', '-')}-1`,
      );
      expect(before.v).toBe(1);
      expect(after.v).toBe(2);
      expect((await readers[mode](`${mode.replace(' ', '-')}-1`)).v).toBe(2);
    });
  }

  if (target === 'cluster') {
    it("holds with the application's clock two seconds ahead of Redis", async () => {
      const now = Date.now.bind(Date);
      jest.spyOn(Date, 'now').mockImplementation(() => now() + 2_000);
      const { after } = await readStartedAfterWrite('result tag', 'clock');
      expect(after.v).toBe(2);
      expect((await readers['result tag']('clock')).v).toBe(2);
    });
  }
});

/** CacheService reads see invalidations made through any of its APIs at once. */
describe('CacheService after its own invalidations', () => {
  it('never serves what delete, deletePattern, clear or invalidateTags covered', async () => {
    const module = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({ store: 'memory', interceptor: false }),
      ],
    }).compile();
    await module.init();
    const cache = module.get(CacheService);
    try {
      await cache.set('a', 1);
      await cache.set('p:1', 1);
      await cache.set('t', 1, { tags: ['x'] });
      await cache.delete('a');
      await cache.deletePattern('p:*');
      await cache.invalidateTags(['x']);
      expect(await cache.mget(['a', 'p:1', 't'])).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      await cache.set('b', 1);
      await cache.clear();
      expect(await cache.get('b')).toBeUndefined();
    } finally {
      await module.close();
    }
  });
});
