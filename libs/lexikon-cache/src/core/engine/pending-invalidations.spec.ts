import {
  MAX_PENDING_GLOBS,
  MAX_PENDING_KEYS,
  PendingInvalidations,
} from './pending-invalidations.js';

describe('pending invalidations', () => {
  it('keeps each target once, whatever the number of writes', () => {
    const p = new PendingInvalidations('p:*');
    for (let i = 0; i < 5_000; i++) {
      p.add({ keys: ['p:a'], tagKeys: ['p:{tags}:t'], globs: ['p:x:*'] });
    }
    expect(p.size).toBe(3);
    expect(p.snapshot()).toEqual({
      keys: ['p:a'],
      tagKeys: ['p:{tags}:t'],
      globs: ['p:x:*'],
    });
  });

  it('collapses into one clear of the prefix past its bounds', () => {
    const p = new PendingInvalidations('p:*');
    for (let i = 0; i <= MAX_PENDING_KEYS; i++) p.add({ keys: [`p:${i}`] });
    expect(p.size).toBe(1);
    expect(p.snapshot()).toEqual({ globs: ['p:*'] });
    const q = new PendingInvalidations('p:*');
    for (let i = 0; i <= MAX_PENDING_GLOBS; i++) q.add({ globs: [`p:${i}:*`] });
    expect(q.snapshot()).toEqual({ globs: ['p:*'] });
  });

  it('forgets only what a replay confirmed, and clears again for what came during one', () => {
    const p = new PendingInvalidations('p:*');
    p.add({ keys: ['p:a'] });
    const snap = p.snapshot();
    p.add({ keys: ['p:b'] });
    p.confirm(snap);
    expect(p.snapshot().keys).toEqual(['p:b']);

    const q = new PendingInvalidations('p:*');
    q.add({ globs: ['p:*'] });
    const clear = q.snapshot();
    q.add({ keys: ['p:c'] });
    q.confirm(clear);
    expect(q.snapshot()).toEqual({ globs: ['p:*'] });
    q.confirm(q.snapshot());
    expect(q.size).toBe(0);
  });

  it('keeps a soft tag soft, unless a hard invalidation of it waits too', () => {
    const p = new PendingInvalidations('p:*');
    p.add({ tagKeys: ['t:a', 't:b'], softTagKeys: ['t:a', 't:b'] });
    p.add({ tagKeys: ['t:b', 't:c'], softTagKeys: ['t:c'] });
    p.add({ tagKeys: ['t:c'], softTagKeys: ['t:c'] });
    // a soft one after a hard one does not soften it
    p.add({ tagKeys: ['t:b'], softTagKeys: ['t:b'] });
    expect(p.snapshot()).toEqual({
      keys: [],
      tagKeys: ['t:a', 't:b', 't:c'],
      softTagKeys: ['t:a', 't:c'],
      globs: [],
    });
  });

  it('keeps a tag made hard while its soft invalidation was replayed', () => {
    const p = new PendingInvalidations('p:*');
    p.add({ tagKeys: ['t:a'], softTagKeys: ['t:a'] });
    const replayed = p.snapshot();
    p.add({ tagKeys: ['t:a'] });
    p.confirm(replayed);
    expect(p.snapshot()).toEqual({ keys: [], tagKeys: ['t:a'], globs: [] });
    p.confirm(p.snapshot());
    expect(p.size).toBe(0);
  });
});
