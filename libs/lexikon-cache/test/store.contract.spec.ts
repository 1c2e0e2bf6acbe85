import type { Lease, ReadOutcome } from '../src/core/store/cache-store.js';
import {
  createStoreFixture,
  STORE_TARGETS,
  stopSharedCluster,
  type StoreFixture,
  type StoreTarget,
} from './support/store-fixture.js';

const LEASE = 5_000;
let seq = 0;
const token = () => `t${++seq}`;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function leaseOf(outcome: ReadOutcome): Lease {
  if (typeof outcome === 'string' || !('lease' in outcome) || !outcome.lease) {
    throw new Error(`expected a lease, got ${JSON.stringify(outcome)}`);
  }
  return outcome.lease;
}

/**
 * The store port's protocol (read, fill, release, tag bump, lease
 * revocation, TTL), one suite for every store: process memory, one Redis
 * server, and a real 6-node cluster where tags live on another node than
 * the entries.
 */
describe.each<StoreTarget>(STORE_TARGETS)('store contract (%s)', (target) => {
  let f: StoreFixture;

  beforeEach(async () => {
    f = await createStoreFixture(target, `store-${target}`);
  });

  afterEach(async () => {
    await f.close();
  });

  afterAll(async () => {
    await stopSharedCluster();
  });

  const read = (k: string, tags: string[] = [], lease = true) =>
    f.store.read(
      f.key(k),
      tags.map(f.tag),
      lease ? { token: token(), ms: LEASE } : undefined,
    );
  const fill = (
    k: string,
    lease: Lease,
    payload: string,
    tags: string[] = [],
    late: string[] = [],
    ttl = 60_000,
  ) =>
    f.store.fill(
      f.key(k),
      lease,
      tags.map(f.tag),
      late.map(f.tag),
      payload,
      ttl,
    );

  it('grants the proposed lease on a miss and names its holder to the next reader', async () => {
    const t = token();
    const first = await f.store.read(f.key('a'), [f.tag('x')], {
      token: t,
      ms: LEASE,
    });
    const lease = leaseOf(first);
    expect(lease.token).toBe(t);
    expect(lease.versions).toHaveLength(1);
    expect(await read('a', ['x'])).toEqual({ holder: t });
    expect(await read('a', ['x'], false)).toEqual({});
  });

  it('fills under the lease, then serves the payload', async () => {
    const lease = leaseOf(await read('a', ['x']));
    expect(await fill('a', lease, 'v1', ['x'])).toBe(true);
    expect(await read('a', ['x'])).toBe('v1');
    expect(await read('a', [], false)).toBe('v1');
  });

  it('refuses a fill after the key was deleted (the lease is revoked)', async () => {
    const lease = leaseOf(await read('a'));
    expect(await f.store.delete([f.key('a')])).toBe(1);
    expect(await fill('a', lease, 'stale')).toBe(false);
    expect(await read('a', [], false)).toEqual({});
  });

  it('refuses a fill after one of its tags was bumped, and gives the lease back', async () => {
    const lease = leaseOf(await read('a', ['x']));
    await f.store.bumpTags([f.tag('x')]);
    expect(await fill('a', lease, 'stale', ['x'])).toBe(false);
    expect(await read('a', ['x'], false)).toEqual({});
    leaseOf(await read('a', ['x']));
  });

  it('lets a reader after a bump take over a lease taken before it', async () => {
    const old = leaseOf(await read('a', ['x']));
    await f.store.bumpTags([f.tag('x')]);
    const fresh = leaseOf(await read('a', ['x']));
    expect(fresh.token).not.toBe(old.token);
    expect(await fill('a', old, 'stale', ['x'])).toBe(false);
    expect(await fill('a', fresh, 'new', ['x'])).toBe(true);
    expect(await read('a', ['x'])).toBe('new');
  });

  it('refuses a fill when a tag learnt from the value was bumped after the lease', async () => {
    const lease = leaseOf(await read('a'));
    await f.store.bumpTags([f.tag('late')]);
    expect(await fill('a', lease, 'stale', [], ['late'])).toBe(false);
    const again = leaseOf(await read('a'));
    expect(await fill('a', again, 'fresh', [], ['late'])).toBe(true);
    expect(await read('a')).toBe('fresh');
    await f.store.bumpTags([f.tag('late')]);
    expect(await read('a', [], false)).toEqual({});
  });

  it('never takes a missing tag for one older than the lease (bumped, then gone)', async () => {
    // the memory store keeps as many tag versions as entries: a small one evicts
    const g =
      target === 'memory'
        ? await createStoreFixture('memory', 'store-evict', {
            memoryMaxEntries: 4,
          })
        : f;
    try {
      const r = (k: string, tags: string[] = []) =>
        g.store.read(g.key(k), tags.map(g.tag), { token: token(), ms: LEASE });
      leaseOf(await r('warm', ['late']));
      const lease = leaseOf(await r('a'));
      await g.store.bumpTags([g.tag('late')]);
      if (g.raw) await g.raw.del(g.tag('late'));
      else for (let i = 0; i < 8; i++) leaseOf(await r(`o${i}`, [`other${i}`]));
      expect(
        await g.store.fill(
          g.key('a'),
          lease,
          [],
          [g.tag('late')],
          'stale',
          60_000,
        ),
      ).toBe(false);
    } finally {
      if (g !== f) await g.close();
    }
  });

  it('accepts a late tag that has not moved since the lease', async () => {
    const lease = leaseOf(await read('a'));
    expect(await fill('a', lease, 'v', [], ['never-bumped'])).toBe(true);
    expect(await read('a')).toBe('v');
  });

  it('gives a lease back on release, and renews it while held', async () => {
    const lease = leaseOf(await read('a'));
    expect(await f.store.extendLease(f.key('a'), lease.token, LEASE)).toBe(
      true,
    );
    await f.store.release(f.key('a'), 'someone-else');
    expect(await read('a')).toEqual({ holder: lease.token });
    await f.store.release(f.key('a'), lease.token);
    expect(await f.store.extendLease(f.key('a'), lease.token, LEASE)).toBe(
      false,
    );
    leaseOf(await read('a'));
  });

  it('lets a lease lapse when its holder stops renewing it', async () => {
    await f.store.read(f.key('a'), [], { token: token(), ms: 150 });
    await sleep(300);
    leaseOf(await read('a'));
  });

  it('expires entries after their TTL', async () => {
    const lease = leaseOf(await read('a'));
    expect(await fill('a', lease, 'v', [], [], 200)).toBe(true);
    expect(await read('a', [], false)).toBe('v');
    await sleep(350);
    expect(await read('a', [], false)).toEqual({});
  });

  it('writes unconditionally, revoking a lease, stamped with current tag versions', async () => {
    const lease = leaseOf(await read('a', ['x']));
    await f.store.write(f.key('a'), 'put', 60_000, [f.tag('x')]);
    expect(await fill('a', lease, 'stale', ['x'])).toBe(false);
    expect(await read('a', ['x'])).toBe('put');
    await f.store.bumpTags([f.tag('x')]);
    expect(await read('a', ['x'], false)).toEqual({});
  });

  it('deletes by glob, leases included', async () => {
    leaseOf(await read('g:1'));
    const lease = leaseOf(await read('g:2'));
    await fill('g:2', lease, 'v');
    expect(await f.store.deleteMatching(`${f.key('g:')}*`)).toBe(2);
    leaseOf(await read('g:1'));
  });

  if (target !== 'memory') {
    it('gives every key it creates a TTL tied to the entry it protects', async () => {
      const lease = leaseOf(await read('a', ['x']));
      await fill('a', lease, 'v', ['x'], ['late'], 30_000);
      await f.store.bumpTags([f.tag('other')]);
      const raw = f.raw!;
      for (const k of [f.key('a'), f.tag('x'), f.tag('late')]) {
        const ttl = await raw.pttl(k);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(30_000);
      }
      // a bump of a tag no entry carries creates nothing for it
      expect(await raw.exists(f.tag('other'))).toBe(0);
    });
  }
});
