import { encodeHttpEntry, toHttpEntry } from '../core/codec/http-entry.js';
import { encodeValue } from '../core/codec/value-codec.js';
import { stampEntry } from '../core/store/redis/entry-header.js';
import { readStoredValue } from './stored-value.js';

describe('readStoredValue', () => {
  it('reads an entry: its stamped tags and its decoded value', () => {
    const raw = stampEntry(
      ['p:{tags}:a'],
      ['1.2:3'],
      encodeValue({ at: new Date(0) }),
    );
    expect(readStoredValue(raw)).toEqual({
      kind: 'entry',
      format: 'value',
      tags: [{ tagKey: 'p:{tags}:a', version: '1.2:3' }],
      value: { at: { $Date: '1970-01-01T00:00:00.000Z' } },
      payloadBytes: Buffer.byteLength(encodeValue({ at: new Date(0) })),
    });
  });

  it('reads an HTTP entry as its body, with the ETag', () => {
    const http = toHttpEntry({ ok: true })!;
    const v = readStoredValue(stampEntry([], [], encodeHttpEntry(http)));
    expect(v).toMatchObject({
      kind: 'entry',
      format: 'http',
      value: { ok: true },
      http: { body: 'json', etag: http.etag },
    });
  });

  it('tells leases, counters and corrupt values apart', () => {
    expect(readStoredValue('Ltok\n1.2:3\n1.2:4')).toEqual({
      kind: 'lease',
      token: 'tok',
      versions: ['1.2:3', '1.2:4'],
    });
    expect(readStoredValue('Ltok\n')).toMatchObject({ versions: [] });
    expect(readStoredValue('-42')).toEqual({ kind: 'counter', value: -42 });
    expect(readStoredValue('99999999999999999999')).toEqual({
      kind: 'counter',
      value: '99999999999999999999',
    });
    expect(readStoredValue('garbage').kind).toBe('corrupt');
    expect(readStoredValue('E0\n{not json').kind).toBe('corrupt');
  });
});
