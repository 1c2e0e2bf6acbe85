import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { Cluster, Redis } from 'ioredis';
import {
  Cacheable,
  CacheInvalidate,
  LexikonCacheModule,
  type LexikonCacheModuleOptions,
} from '@lexikon/cache';
import {
  rawClient,
  stopSharedCluster,
  targetOptions,
  type StoreTarget,
} from './support/store-fixture.js';
import {
  deleteKeysWithPrefix,
  uniquePrefix,
} from '../../../test/support/unique-prefix.js';

/** A source of truth with versioned rows and a latch to pause loaders mid-read. */
class Source {
  readonly rows = new Map<string, number>();
  gate: Promise<void> | undefined;
  loads = 0;

  async read(id: string): Promise<number> {
    this.loads++;
    const value = this.rows.get(id) ?? 0;
    if (this.gate) await this.gate;
    return value;
  }
}

function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Yields until `cond` holds, bounded. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await sleep(2);
  if (!cond()) throw new Error('condition never held');
}

const SOURCE = Symbol('source');

@Injectable()
class RowsService {
  constructor(private readonly source: Source) {}

  @Cacheable({ key: 'row:{id}' })
  async byKey(id: string): Promise<number> {
    return this.source.read(id);
  }

  @Cacheable({ key: 'tagged-row:{id}', tags: ['rows:{id}'] })
  async byTag(id: string): Promise<number> {
    return this.source.read(id);
  }

  @CacheInvalidate('row:{id}')
  async writeKey(id: string, value: number): Promise<void> {
    this.source.rows.set(id, value);
  }

  @CacheInvalidate({ tags: ['rows:{id}'] })
  async writeTag(id: string, value: number): Promise<void> {
    this.source.rows.set(id, value);
  }
}

interface Instance {
  module: TestingModule;
  rows: RowsService;
}

async function instance(
  source: Source,
  options: LexikonCacheModuleOptions,
): Promise<Instance> {
  const module = await Test.createTestingModule({
    imports: [LexikonCacheModule.forRoot({ ...options, ttlJitter: 0 })],
    providers: [
      RowsService,
      { provide: Source, useValue: source },
      { provide: SOURCE, useValue: source },
    ],
  }).compile();
  await module.init();
  return { module, rows: module.get(RowsService) };
}

type Setup =
  | 'redis, one instance'
  | 'redis, two instances'
  | 'cluster, two instances'
  | 'memory';

describe.each<Setup>([
  'redis, one instance',
  'redis, two instances',
  'cluster, two instances',
  'memory',
])('read/write race (%s)', (setup) => {
  const prefix = uniquePrefix('race');
  let reader: Instance;
  let writer: Instance;
  let source: Source;
  let raw: Redis | Cluster | undefined;
  const target: StoreTarget = setup.startsWith('cluster')
    ? 'cluster'
    : setup === 'memory'
      ? 'memory'
      : 'redis';

  beforeEach(async () => {
    source = new Source();
    const options: LexikonCacheModuleOptions = {
      ...(await targetOptions(target)),
      keyPrefix: prefix,
    };
    reader = await instance(source, options);
    writer = setup.endsWith('two instances')
      ? await instance(source, options)
      : reader;
    raw = await rawClient(target);
  });

  afterAll(async () => {
    await stopSharedCluster();
  });

  afterEach(async () => {
    if (raw) {
      await deleteKeysWithPrefix(raw, prefix);
      raw.disconnect();
    }
    await reader.module.close();
    if (writer !== reader) await writer.module.close();
  });

  for (const mode of ['key', 'tag'] as const) {
    it(`never installs a value loaded before a write's ${mode} invalidation`, async () => {
      const read = (id: string) =>
        mode === 'key' ? reader.rows.byKey(id) : reader.rows.byTag(id);
      const write = (id: string, v: number) =>
        mode === 'key'
          ? writer.rows.writeKey(id, v)
          : writer.rows.writeTag(id, v);
      // 1. a reader misses and loads the old value, then stalls before storing it;
      //    a writer commits and invalidates; then the stalled load completes
      source.rows.set('r', 1);
      const gate = latch();
      source.gate = gate.promise;
      const stale = read('r');
      await until(() => source.loads === 1);
      await write('r', 2);
      source.gate = undefined;
      gate.open();
      expect(await stale).toBe(1);
      for (let i = 0; i < 3; i++) expect(await read('r')).toBe(2);

      // 2. same, but a read starting after the write runs while the stale load is in flight
      source.rows.set('s', 1);
      const gate2 = latch();
      source.gate = gate2.promise;
      const loadsBefore = source.loads;
      const stale2 = read('s');
      await until(() => source.loads === loadsBefore + 1);
      await write('s', 2);
      source.gate = undefined;
      expect(await read('s')).toBe(2);
      gate2.open();
      expect(await stale2).toBe(1);
      for (let i = 0; i < 3; i++) expect(await read('s')).toBe(2);
    });
  }

  it('keeps reads monotonic under concurrent readers and writers', async () => {
    const ids = ['a', 'b', 'c'];
    for (const id of ids) source.rows.set(id, 0);
    const committed = new Map(ids.map((id) => [id, 0]));
    const violations: string[] = [];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    // loaders take a random while, so reads and writes interleave
    source.read = async function (this: Source, id: string) {
      this.loads++;
      const value = this.rows.get(id) ?? 0;
      await sleep(Math.floor(random() * 4));
      return value;
    };
    const readerLoop = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const id = ids[Math.floor(random() * ids.length)];
        const floor = committed.get(id) ?? 0;
        const value =
          random() < 0.5
            ? await reader.rows.byKey(id)
            : await reader.rows.byTag(id);
        if (value < floor)
          violations.push(
            `${id}: read ${value} after write ${floor} had returned`,
          );
      }
    };
    const writerLoop = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const id = ids[Math.floor(random() * ids.length)];
        const next = (source.rows.get(id) ?? 0) + 1;
        source.rows.set(id, next);
        await Promise.all([
          writer.rows.writeKey(id, next),
          writer.rows.writeTag(id, next),
        ]);
        committed.set(id, Math.max(committed.get(id) ?? 0, next));
        await sleep(Math.floor(random() * 3));
      }
    };
    await Promise.all([
      ...Array.from({ length: 8 }, () => readerLoop(60)),
      writerLoop(40),
      writerLoop(40),
    ]);
    expect(violations).toEqual([]);
    expect(source.loads).toBeGreaterThan(0);
  });
});
