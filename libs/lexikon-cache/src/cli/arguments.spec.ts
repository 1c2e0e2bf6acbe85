import { parseDuration, parseHostList, parseInteger } from './arguments.js';

describe('CLI arguments', () => {
  it('reads host:port lists, IPv6 in brackets, a default port', () => {
    expect(parseHostList(6379)('a:7000, b,[::1]:7001')).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 6379 },
      { host: '::1', port: 7001 },
    ]);
    expect(() => parseHostList(6379)('a:0')).toThrow(/port/);
    expect(() => parseHostList(6379)('')).toThrow(/host:port/);
  });

  it('reads durations as ms or with a unit', () => {
    expect(parseDuration('500')).toBe(500);
    expect(parseDuration('2s')).toBe(2_000);
    expect(() => parseDuration('soon')).toThrow(/duration/);
    expect(() => parseDuration('0')).toThrow(/duration/);
  });

  it('reads whole numbers with a lower bound', () => {
    expect(parseInteger(0)('0')).toBe(0);
    expect(() => parseInteger(1)('0')).toThrow(/>= 1/);
    expect(() => parseInteger(0)('1.5')).toThrow();
  });
});
