import {
  escapeKeyPart,
  fullKey,
  fullTagKey,
  keyNamespace,
  patternToGlob,
} from './cache-keys.js';
import { canonicalize } from './canonical-json.js';
import { KeyTemplate } from './key-template.js';
import { globToRegExp } from './glob.js';

describe('key building', () => {
  it('escapes glob, separator, hash-tag and control characters in values', () => {
    expect(escapeKeyPart('abc-123_x.y')).toBe('abc-123_x.y');
    expect(escapeKeyPart('a*b?c[d]e\\f:g{h}i j\nk%')).toBe(
      'a%2Ab%3Fc%5Bd%5De%5Cf%3Ag%7Bh%7Di%20j%0Ak%25',
    );
    expect(escapeKeyPart('%2A')).not.toBe(escapeKeyPart('*'));
  });

  it('prefixes keys and hashes over-long ones, keeping the namespace', () => {
    expect(fullKey('lexikon:', 'user:1')).toBe('lexikon:user:1');
    const long = fullKey('lexikon:', `search:${'x'.repeat(400)}`);
    expect(long).toMatch(/^lexikon:search:#[0-9a-f]{64}$/);
    expect(fullKey('lexikon:', `search:${'x'.repeat(400)}`)).toBe(long);
    expect(fullKey('lexikon:', `search:${'y'.repeat(400)}`)).not.toBe(long);
  });

  it('puts tag versions under one cluster hash tag', () => {
    expect(fullTagKey('lexikon:', 'project:1')).toBe(
      'lexikon:{tags}:project:1',
    );
    expect(fullTagKey('lexikon:', `t:${'z'.repeat(400)}`)).toMatch(
      /^lexikon:\{tags\}:t:#/,
    );
  });

  it('makes patterns whose only wildcard is *', () => {
    expect(patternToGlob('lexikon:', 'user:*')).toBe('lexikon:user:*');
    const glob = globToRegExp(patternToGlob('app[1]:', 'a[1]?\\*'));
    expect(glob.test('app[1]:a[1]?\\anything')).toBe(true);
    expect(glob.test('app1:a[1]?\\x')).toBe(false);
    expect(glob.test('app[1]:a1x\\y')).toBe(false);
  });

  it('names the namespace of a key for logs', () => {
    expect(keyNamespace('user:42:profile')).toBe('user');
    expect(keyNamespace('plain')).toBe('plain');
  });

  it('encodes arguments canonically', () => {
    expect(canonicalize({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(
      canonicalize({ a: [1, { c: 3, d: 2 }], b: 1 }),
    );
    expect(canonicalize({ a: undefined, b: 1 })).toBe(canonicalize({ b: 1 }));
    expect(canonicalize(['1'])).not.toBe(canonicalize([1]));
    expect(canonicalize(new Set([2, 1]))).toBe(canonicalize(new Set([1, 2])));
    expect(canonicalize(new Date(5))).not.toBe(canonicalize(5));
  });
});

describe('key templates', () => {
  it('renders references from a resolver, escaping values', () => {
    const t = KeyTemplate.parse('term:{id}:{user.id}:{0.page}');
    const roots: Record<string, unknown> = {
      id: 'a:b*',
      user: { id: 7 },
      0: { page: 2 },
    };
    expect(t.render((r) => roots[r])).toBe('term:a%3Ab%2A:7:2');
    expect([...t.roots]).toEqual(['id', 'user', '0']);
  });

  it('renders objects canonically and reports absent values', () => {
    const t = KeyTemplate.parse('q:{filter}');
    expect(t.render(() => ({ b: 1, a: 2 }))).toBe(
      t.render(() => ({ a: 2, b: 1 })),
    );
    expect(t.render(() => undefined)).toBeUndefined();
    expect(KeyTemplate.parse('x:{a.b}').render(() => ({}))).toBeUndefined();
  });

  it('uses a default for an absent or empty value', () => {
    const t = KeyTemplate.parse('page:{page=1}:{limit=20}');
    expect(t.render(() => undefined)).toBe('page:1:20');
    expect(t.render((r) => (r === 'page' ? '3' : ''))).toBe('page:3:20');
  });

  it.each(['', 'a:{', 'a:}', 'a:{b c}', 'a:{}', 'a:{b..c}'])(
    'refuses %j',
    (source) => {
      expect(() => KeyTemplate.parse(source)).toThrow();
    },
  );

  it('checks references against what the call offers', () => {
    const t = KeyTemplate.parse('user:{userId}');
    expect(() =>
      t.check((root) => (root === 'id' ? undefined : 'unknown')),
    ).toThrow(/\{userId\}, unknown/);
    expect(() => t.check(() => undefined)).not.toThrow();
  });
});
