import { ConfigValidationError } from './config-validation.error.js';
import { loadConfiguration } from './configuration.js';
import { validateEnvironment } from './environment.js';

describe('CACHE_GRACE and CACHE_SOFT_TIMEOUT', () => {
  const grace = (env: Record<string, string>) =>
    loadConfiguration(env).redis.grace;
  const load = (env: Record<string, string>) => () => loadConfiguration(env);

  it('defaults to a 10 minute grace and a 1 s soft timeout', () => {
    expect(validateEnvironment({})).toMatchObject({ CACHE_GRACE: 600_000 });
    expect(grace({})).toEqual({ graceMs: 600_000, softTimeoutMs: 1000 });
  });

  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    [' 2H ', 7_200_000],
    ['1d', 86_400_000],
  ])('reads CACHE_GRACE=%s as %d ms', (value, ms) => {
    expect(grace({ CACHE_GRACE: value }).graceMs).toBe(ms);
  });

  it.each(['0', 'off', 'OFF', 'false'])(
    'turns grace and the soft timeout off with CACHE_GRACE=%s',
    (value) => {
      expect(grace({ CACHE_GRACE: value })).toEqual({});
    },
  );

  it('takes a soft timeout below the query timeout, or off', () => {
    expect(grace({ CACHE_SOFT_TIMEOUT: '200ms' }).softTimeoutMs).toBe(200);
    expect(grace({ CACHE_SOFT_TIMEOUT: 'off' })).toEqual({ graceMs: 600_000 });
  });

  it('rejects a soft timeout that is not below DB_QUERY_TIMEOUT_MS', () => {
    expect(load({ CACHE_SOFT_TIMEOUT: '3s' })).toThrow(ConfigValidationError);
    expect(load({ CACHE_SOFT_TIMEOUT: '3s' })).toThrow(
      'CACHE_SOFT_TIMEOUT (3000 ms) must be shorter than DB_QUERY_TIMEOUT_MS (2500 ms)',
    );
    expect(
      load({ CACHE_SOFT_TIMEOUT: '600ms', DB_QUERY_TIMEOUT_MS: '600' }),
    ).toThrow('must be shorter than DB_QUERY_TIMEOUT_MS (600 ms)');
  });

  it('halves a short query timeout for the default soft timeout', () => {
    expect(grace({ DB_QUERY_TIMEOUT_MS: '600' }).softTimeoutMs).toBe(300);
    expect(grace({ DB_QUERY_TIMEOUT_MS: '1000' }).softTimeoutMs).toBe(500);
    expect(grace({ DB_QUERY_TIMEOUT_MS: '1001' }).softTimeoutMs).toBe(1000);
  });
});
