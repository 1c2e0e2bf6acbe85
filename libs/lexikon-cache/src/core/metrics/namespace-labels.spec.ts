import { NamespaceLabels, OTHER_NAMESPACE } from './namespace-labels.js';

describe('NamespaceLabels', () => {
  const labels = () =>
    new NamespaceLabels('lexikon:', (label) => ({ label }), 3);

  it('labels a key by its first segment after the prefix', () => {
    const l = labels();
    expect(l.of('lexikon:user:42:profile').label).toBe('user');
    expect(l.of('lexikon:http:GET:/terms').label).toBe('http');
    expect(l.of('lexikon:plain').label).toBe('plain');
  });

  it('gives every key of a namespace the same slot', () => {
    const l = labels();
    expect(l.of('lexikon:user:1')).toBe(l.of('lexikon:user:2'));
    expect(l.of('lexikon:user:1')).not.toBe(l.of('lexikon:team:1'));
  });

  it('labels the namespaces after the first `max` as other, in one slot', () => {
    const l = labels();
    for (const ns of ['a', 'b', 'c'])
      expect(l.of(`lexikon:${ns}:1`).label).toBe(ns);
    expect(l.of('lexikon:d:1').label).toBe(OTHER_NAMESPACE);
    expect(l.of('lexikon:e:1')).toBe(l.of('lexikon:d:1'));
    // the first ones keep their names
    expect(l.of('lexikon:a:2').label).toBe('a');
  });
});
