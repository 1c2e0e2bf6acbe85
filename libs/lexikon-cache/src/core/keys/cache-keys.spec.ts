import fc from 'fast-check';
import {
  escapeKeyPart,
  fullKey,
  fullTagKey,
  HASHED_KEY_BYTES,
  keyNamespace,
  MAX_KEY_BYTES,
  sequenceKey,
} from './cache-keys.js';
import { canonicalize } from './canonical-json.js';
import { globToRegExp } from './glob.js';
import { patternToGlobs } from './key-patterns.js';
import { formatKeyValue, KeyTemplate } from './key-template.js';

const bytes = (s: string) => Buffer.byteLength(s);
// control characters are what this test looks for
// oxlint-disable-next-line no-control-regex
const UNSAFE_ASCII = /[*?[\]\\:{}#\u0000-\u0020\u007f]/;

describe('key building', () => {
  it('escapes glob, separator, hash-tag, marker and control characters with a fixed width', () => {
    expect(escapeKeyPart('abc-123_x.y')).toBe('abc-123_x.y');
    expect(escapeKeyPart('a*b?c[d]e\\f:g{h}i j\nk%#!~')).toBe(
      'a%2Ab%3Fc%5Bd%5De%5Cf%3Ag%7Bh%7Di%20j%0Ak%25%23%21%7E',
    );
    expect(escapeKeyPart('%2A')).not.toBe(escapeKeyPart('*'));
    // variable-width escapes once made " 00" and "\u2000" one key
    expect(escapeKeyPart(' 00')).not.toBe(escapeKeyPart('\u2000'));
    expect(escapeKeyPart('\u2000')).toBe('\u2000');
  });

  it('keeps lone surrogates apart from U+FFFD, as Redis would not', () => {
    const lone = escapeKeyPart('\ud800');
    expect(lone).toBe('%uD800');
    expect(Buffer.from(lone).toString()).toBe(lone);
    expect(lone).not.toBe(escapeKeyPart('\ufffd'));
    expect(escapeKeyPart('\ud83d\ude00')).toBe('\ud83d\ude00');
  });

  it('hashes over-long keys into names no plain key can have', () => {
    expect(fullKey('lexikon:', 'user:1')).toBe('lexikon:user:1');
    const long = fullKey('lexikon:', `terms:page:${'x'.repeat(400)}`);
    expect(bytes(long)).toBe(HASHED_KEY_BYTES);
    expect(long.startsWith('lexikon:terms:page:xxx')).toBe(true);
    expect(fullKey('lexikon:', `terms:page:${'x'.repeat(400)}`)).toBe(long);
    expect(fullKey('lexikon:', `terms:page:${'y'.repeat(400)}`)).not.toBe(long);
    // a plain key is at most MAX_KEY_BYTES: it can never spell a hashed one
    const plain = fullKey('lexikon:', 'a'.repeat(MAX_KEY_BYTES - 8));
    expect(bytes(plain)).toBe(MAX_KEY_BYTES);
    const multibyte = fullKey('p:', 'é'.repeat(300));
    expect(bytes(multibyte)).toBe(HASHED_KEY_BYTES);
  });

  it('puts tag versions and their sequence under one cluster hash tag', () => {
    expect(fullTagKey('lexikon:', 'project:1')).toBe(
      'lexikon:{tags}:project:1',
    );
    expect(fullTagKey('lexikon:', `t:${'z'.repeat(400)}`)).toMatch(
      /^lexikon:\{tags\}:t:z+#/,
    );
    expect(sequenceKey('lexikon:')).toBe('lexikon:{tags}');
  });

  it('makes patterns whose only wildcard is *, reaching hashed keys too', () => {
    const [exact] = patternToGlobs('app[1]:', 'a[1]?\\*');
    const re = globToRegExp(exact);
    expect(re.test('app[1]:a[1]?\\anything')).toBe(true);
    expect(re.test('app1:a[1]?\\x')).toBe(false);
    expect(patternToGlobs('p:', 'terms:page:*')).toEqual(['p:terms:page:*']);

    const hashed = fullKey('p:', `terms:page:1:${'q'.repeat(400)}`);
    for (const pattern of ['terms:page:*', 'terms:*:1:*', 'terms:page:1:*q']) {
      const globs = patternToGlobs('p:', pattern).map(globToRegExp);
      expect(globs.some((g) => g.test(hashed))).toBe(true);
    }
    const other = fullKey('p:', `users:${'q'.repeat(400)}`);
    expect(
      patternToGlobs('p:', 'terms:*:1:*')
        .map(globToRegExp)
        .some((g) => g.test(other)),
    ).toBe(false);
  });

  it('names the namespace of a key for logs', () => {
    expect(keyNamespace('user:42:profile')).toBe('user');
    expect(keyNamespace('plain')).toBe('plain');
  });

  it('encodes arguments canonically and with their types', () => {
    expect(canonicalize({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(
      canonicalize({ a: [1, { c: 3, d: 2 }], b: 1 }),
    );
    expect(canonicalize({ a: undefined, b: 1 })).toBe(canonicalize({ b: 1 }));
    expect(canonicalize(['1'])).not.toBe(canonicalize([1]));
    expect(canonicalize(new Set([2, 1]))).toBe(canonicalize(new Set([1, 2])));
    expect(canonicalize(new Date(5))).not.toBe(canonicalize(5));
    expect(canonicalize(-0)).not.toBe(canonicalize(0));
    expect(canonicalize(new Float64Array([1]))).not.toBe(
      canonicalize(new Uint8Array(8)),
    );
    expect(canonicalize(/a/g)).not.toBe(canonicalize({}));
  });
});

describe('key templates', () => {
  it('renders references from a resolver, escaping values and marking their type', () => {
    const t = KeyTemplate.parse('term:{id}:{user.id}:{0.page}');
    const roots: Record<string, unknown> = {
      id: 'a:b*',
      user: { id: 7 },
      0: { page: '2' },
    };
    expect(t.render((r) => roots[r])).toBe('term:a%3Ab%2A:!n7:2');
    expect([...t.roots]).toEqual(['id', 'user', '0']);
  });

  it.each([
    [1, '1'],
    [null, 'null'],
    [true, 'true'],
    [['a', 'b'], '["a","b"]'],
    [{ a: 1 }, '{"a":1}'],
    [new Date(0), '1970-01-01T00:00:00.000Z'],
    [10n, '10'],
  ])('keeps %j apart from the string %j', (value, text) => {
    expect(formatKeyValue(value)).not.toBe(formatKeyValue(text));
  });

  it('renders an invalid Date without throwing', () => {
    expect(formatKeyValue(new Date(Number.NaN))).toBe('!dNaN');
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

/** Values a caller may put in a key, compared by what they are (Sets and key order aside). */
const keyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.string(),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.bigInt(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('the key space is injective', () => {
  const template = KeyTemplate.parse('ns:{a}:{b}');
  const render = (a: unknown, b: unknown) =>
    fullKey('p:', template.render((r) => (r === 'a' ? a : b)) ?? '');

  it('gives distinct keys to distinct values, hashed or not', () => {
    fc.assert(
      fc.property(keyValue, keyValue, keyValue, keyValue, (a1, b1, a2, b2) => {
        const same = canonicalize([a1, b1]) === canonicalize([a2, b2]);
        fc.pre(
          a1 !== undefined &&
            b1 !== undefined &&
            a2 !== undefined &&
            b2 !== undefined,
        );
        fc.pre(a1 !== '' && b1 !== '' && a2 !== '' && b2 !== '');
        expect(render(a1, b1) === render(a2, b2)).toBe(same);
      }),
      { numRuns: 3000 },
    );
  });

  it('never lets a rendered value contain a glob, separator or hash-tag character', () => {
    fc.assert(
      fc.property(keyValue, (v) => {
        fc.pre(v !== undefined);
        // ASCII only: other spaces are harmless in Redis keys and kept as they are
        expect(formatKeyValue(v)).not.toMatch(UNSAFE_ASCII);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps distinct strings distinct in Redis bytes, surrogates included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        (a, b) => {
          fc.pre(a !== b);
          expect(
            Buffer.from(escapeKeyPart(a)).equals(Buffer.from(escapeKeyPart(b))),
          ).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reaches every hashed key a pattern matches', () => {
    fc.assert(
      fc.property(
        fc
          .string({ minLength: 1, maxLength: 12 })
          .filter((s) => !s.includes('*')),
        fc.string({ minLength: 300, maxLength: 500 }),
        (head, tail) => {
          const key = `${head}:${escapeKeyPart(tail)}`;
          const full = fullKey('p:', key);
          const globs = patternToGlobs('p:', `${head}:*`).map(globToRegExp);
          expect(globs.some((g) => g.test(full))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
