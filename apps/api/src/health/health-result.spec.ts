import { isUnavailable, summarize } from './health-result.js';

const up = { status: 'up' as const };
const down = { status: 'down' as const, message: 'timeout after 500 ms' };

describe('summarize', () => {
  it('is ok when every indicator is up', () => {
    expect(summarize([{ database: up }, { redis: up }])).toEqual({
      status: 'ok',
      info: { database: up, redis: up },
      error: {},
      details: { database: up, redis: up },
    });
  });

  it('is an error when a critical indicator is down', () => {
    const result = summarize([{ database: down }, { redis: up }]);
    expect(result).toEqual({
      status: 'error',
      info: { redis: up },
      error: { database: down },
      details: { database: down, redis: up },
    });
    expect(isUnavailable(result)).toBe(true);
  });

  it('is degraded, not an error, when only a non-critical indicator is down', () => {
    const result = summarize(
      [{ database: up }, { redis: down }],
      (key) => key !== 'redis',
    );
    expect(result).toEqual({
      status: 'degraded',
      info: { database: up },
      error: { redis: down },
      details: { database: up, redis: down },
    });
    expect(isUnavailable(result)).toBe(false);
  });

  it('keeps the error when both kinds are down', () => {
    expect(
      summarize([{ redis: down }, { database: down }], (key) => key !== 'redis')
        .status,
    ).toBe('error');
  });

  it('is degraded when an indicator reports degraded', () => {
    expect(summarize([{ database: { status: 'degraded' } }]).status).toBe(
      'degraded',
    );
  });

  it('is ok with no indicators', () => {
    expect(summarize([])).toEqual({
      status: 'ok',
      info: {},
      error: {},
      details: {},
    });
  });
});
