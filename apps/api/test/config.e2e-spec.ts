import { Test } from '@nestjs/testing';
import { createApp } from '../src/app.factory.js';
import { appConfig } from '../src/config/app.config.js';
import { ConfigValidationError } from '../src/config/config-validation.error.js';
import { createConfigModule } from '../src/config/config.module.js';
import { databaseConfig } from '../src/config/database.config.js';
import { redisConfig } from '../src/config/redis.config.js';

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

  it('validates the environment once: every namespace is that one result', async () => {
    process.env.PORT = '4567';
    process.env.REDIS_HOST = 'cache.internal';
    const { module, configuration } = await createConfigModule();
    // read again, this would now fail; nothing reads it again
    process.env.PORT = 'not a port';
    const moduleRef = await Test.createTestingModule({
      imports: [module],
    }).compile();
    expect(moduleRef.get(appConfig.KEY)).toBe(configuration.app);
    expect(configuration.app.port).toBe(4567);
    expect(moduleRef.get(databaseConfig.KEY)).toBe(configuration.database);
    expect(moduleRef.get(redisConfig.KEY)).toBe(configuration.redis);
    expect(configuration.redis.host).toBe('cache.internal');
    await moduleRef.close();
  });
});
