// An application that uses @lexikon/cache as installed from its tarball.
// `node dist/main.js express|fastify`, with REDIS_URL and KEY_PREFIX set
// (METRICS=on asks for the cache's Prometheus metrics); prints
// `listening <url>` once it accepts requests.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';

const platform = process.argv[2];
const { REDIS_URL: redisUrl, KEY_PREFIX: keyPrefix, METRICS } = process.env;
if (
  (platform !== 'express' && platform !== 'fastify') ||
  !redisUrl ||
  !keyPrefix
) {
  throw new Error(
    'usage: REDIS_URL=… KEY_PREFIX=… node dist/main.js express|fastify',
  );
}

const app = await NestFactory.create(
  AppModule.register({ redisUrl, keyPrefix, metrics: METRICS === 'on' }),
  platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(),
  { logger: ['error', 'warn'] },
);
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
process.stdout.write(`listening ${await app.getUrl()}\n`);
