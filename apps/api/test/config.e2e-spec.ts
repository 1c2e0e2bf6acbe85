import { createApp } from '../src/app.factory.js';
import { ConfigValidationError } from '../src/config/config-validation.error.js';

describe('start-up with bad configuration (e2e)', () => {
  const saved = { ...process.env };

  afterEach(() => {
    for (const key of Object.keys(process.env)) {
      if (!(key in saved)) delete process.env[key];
    }
    Object.assign(process.env, saved);
  });

  it('rejects before touching the database, naming the variable', async () => {
    process.env.DATABASE_URL = 'postgres://postgres@127.0.0.1:1/never';
    process.env.REDIS_PORT = '99999';
    const attempt = createApp({ logger: false });
    await expect(attempt).rejects.toBeInstanceOf(ConfigValidationError);
    await expect(attempt).rejects.toThrow(
      'Invalid configuration: REDIS_PORT must be an integer between 1 and 65535',
    );
  });

  it('never echoes the value of a bad URL (it may hold a password)', async () => {
    process.env.DATABASE_URL = 'mysql://user:s3cret@db/app';
    const error: unknown = await createApp({ logger: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as Error).message).toBe(
      'Invalid configuration: DATABASE_URL must be a postgres:// or postgresql:// URL',
    );
    expect((error as Error).message).not.toContain('s3cret');
  });
});
