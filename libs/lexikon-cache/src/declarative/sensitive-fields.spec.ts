import { DEFAULT_SENSITIVE_FIELDS } from '../core/options/resolve-entry-options.js';
import {
  fieldWords,
  SENSITIVE_SCAN_MAX_DEPTH,
  SENSITIVE_SCAN_MAX_NODES,
  SensitiveFieldMatcher,
} from './sensitive-fields.js';

const defaults = new SensitiveFieldMatcher(DEFAULT_SENSITIVE_FIELDS);

/** `{ a: { a: ... { [leaf]: 'x' } } }` with the leaf field at `depth` (the root's fields are at 1). */
function nestedAt(depth: number, leaf: string): unknown {
  let value: Record<string, unknown> = { [leaf]: 'x' };
  for (let d = 1; d < depth; d++) value = { a: value };
  return value;
}

describe('fieldWords', () => {
  it.each([
    ['apiKeyHash', ['api', 'key', 'hash']],
    ['APIKey', ['api', 'key']],
    ['refresh_token', ['refresh', 'token']],
    ['X-Api-Key', ['x', 'api', 'key']],
    ['oauth2Token', ['oauth2', 'token']],
    ['PASSWORD', ['password']],
    ['passwordhash', ['passwordhash']],
    ['__proto', ['proto']],
  ])('splits %j', (name, words) => {
    expect(fieldWords(name)).toEqual(words);
  });
});

describe('the default sensitive field names', () => {
  it.each([
    'password',
    'Password',
    'PASSWORD',
    'passwordHash',
    'password_hash',
    'passwordhash',
    'newPassword',
    'passwords',
    'secret',
    'clientSecret',
    'client_secret',
    'secrets',
    'token',
    'accessToken',
    'refresh_token',
    'tokens',
    'tokenHash',
    'apiKey',
    'api_key',
    'X-Api-Key',
    'APIKey',
    'apikey',
    'APIKEY',
    'apiKeyHash',
    'apiKeys',
  ])('match %j', (name) => {
    expect(defaults.matches(name)).toBe(true);
  });

  it.each([
    'id',
    'name',
    'email',
    'tokenizer',
    'secretary',
    'passage',
    'keyboard',
    'apiVersion',
    'key',
    'api',
    'createdById',
    'definition',
  ])('do not match %j', (name) => {
    expect(defaults.matches(name)).toBe(false);
  });
});

describe('a configured list', () => {
  it('replaces the defaults; strings match by words, RegExps the name as it is', () => {
    const m = new SensitiveFieldMatcher(['ssn', /^pin$/i, /card/gi]);
    expect(m.matches('ssn')).toBe(true);
    expect(m.matches('userSSN')).toBe(true);
    expect(m.matches('PIN')).toBe(true);
    expect(m.matches('pinned')).toBe(false);
    expect(m.matches('password')).toBe(false);
    // a global RegExp keeps no state from one name to the next
    expect(m.matches('creditCard')).toBe(true);
    expect(m.matches('cardHolder')).toBe(true);
    expect(m.matches('discarded')).toBe(true);
  });
});

describe('SensitiveFieldMatcher.find', () => {
  it('names the path of the first secret-looking field', () => {
    expect(defaults.find({ id: 1, passwordHash: 'h' })).toBe('passwordHash');
    expect(defaults.find({ user: { id: 1, apiKey: 'k' } })).toBe('user.apiKey');
    expect(defaults.find({ items: [{ id: 1 }, { id: 2, token: 't' }] })).toBe(
      'items[].token',
    );
    expect(defaults.find([{ secret: 's' }])).toBe('[].secret');
    expect(defaults.find({ ids: new Set([{ token: 't' }]) })).toBe(
      'ids[].token',
    );
  });

  it('reads Maps: a string key is a field name', () => {
    expect(defaults.find(new Map([['token', 't']]))).toBe('token');
    expect(
      defaults.find({ byId: new Map([['a1', { clientSecret: 's' }]]) }),
    ).toBe('byId.a1.clientSecret');
    expect(defaults.find(new Map([[{ apiKey: 'k' }, 1]]))).toBe('[].apiKey');
  });

  it('prints path segments that are not identifiers as *', () => {
    expect(
      defaults.find({ 'ada@example.com': { 'some key': { token: 't' } } }),
    ).toBe('*.*.token');
  });

  it('finds nothing in values without such fields, whatever their types', () => {
    expect(
      defaults.find({
        id: 1,
        when: new Date(),
        bytes: Buffer.from('token'),
        re: /password/,
        text: 'password=hunter2',
        tags: ['token', 'secret'],
        nothing: null,
        big: 10n,
      }),
    ).toBeUndefined();
    expect(defaults.find('token')).toBeUndefined();
    expect(defaults.find(null)).toBeUndefined();
  });

  it('counts a field with a null value, not one that is undefined or a function', () => {
    expect(defaults.find({ token: null })).toBe('token');
    expect(defaults.find({ token: undefined })).toBeUndefined();
    expect(defaults.find({ token: () => 't' })).toBeUndefined();
    expect(defaults.find(new Map([['token', undefined]]))).toBeUndefined();
  });

  it('looks at what toJSON() gives, as the encoders do', () => {
    class Hidden {
      constructor(
        readonly id: number,
        readonly passwordHash: string,
      ) {}
      toJSON() {
        return { id: this.id };
      }
    }
    class Shown {
      toJSON() {
        return { token: 't' };
      }
    }
    class Plain {
      constructor(readonly passwordHash: string) {}
    }
    expect(defaults.find({ user: new Hidden(1, 'h') })).toBeUndefined();
    expect(defaults.find({ user: new Shown() })).toBe('user.token');
    expect(defaults.find({ user: new Plain('h') })).toBe('user.passwordHash');
  });

  it(`looks ${SENSITIVE_SCAN_MAX_DEPTH} levels deep, no deeper`, () => {
    expect(defaults.find(nestedAt(SENSITIVE_SCAN_MAX_DEPTH, 'token'))).toMatch(
      /\.token$/,
    );
    expect(
      defaults.find(nestedAt(SENSITIVE_SCAN_MAX_DEPTH + 1, 'token')),
    ).toBeUndefined();
  });

  it(`looks into ${SENSITIVE_SCAN_MAX_NODES} objects at most`, () => {
    const items = (n: number) => [
      ...Array.from({ length: n }, (_, id) => ({ id })),
      { token: 't' },
    ];
    // the array itself is one of them
    expect(defaults.find(items(SENSITIVE_SCAN_MAX_NODES - 2))).toBe('[].token');
    expect(defaults.find(items(SENSITIVE_SCAN_MAX_NODES - 1))).toBeUndefined();
  });

  it('ends on circular values', () => {
    const a: Record<string, unknown> = { id: 1 };
    a.self = a;
    expect(defaults.find(a)).toBeUndefined();
    a.token = 't';
    expect(defaults.find(a)).toMatch(/^(self\.)*token$/);
  });
});
