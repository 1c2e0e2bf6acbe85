import { Controller, Get, Param } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { Cacheable, LexikonCacheModule } from '@lexikon/cache';
import {
  RedisServerProcess,
  stopAllRedisServers,
} from '../../../test/support/redis-server.js';
import { uniquePrefix } from '../../../test/support/unique-prefix.js';

let loads = 0;

@Controller('things')
class ThingsController {
  @Get(':id')
  @Cacheable({ key: 'thing:{id}', scope: 'public' })
  async get(@Param('id') id: string) {
    loads++;
    return { id };
  }
}

describe('HTTP caching when Redis fails', () => {
  it('answers while Redis is down and caches again once it is back, on HTTP traffic alone', async () => {
    const redis = await RedisServerProcess.start();
    const moduleRef = await Test.createTestingModule({
      imports: [
        LexikonCacheModule.forRoot({
          redis: { url: redis.url },
          keyPrefix: uniquePrefix('http-faults'),
          commandTimeout: 200,
          breakerThreshold: 2,
          breakerCooldown: 200,
        }),
      ],
      controllers: [ThingsController],
    }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await (
      app.getHttpAdapter().getInstance() as { ready(): Promise<void> }
    ).ready();
    const http = () => request(app.getHttpServer());
    try {
      await http().get('/things/a').expect(200);
      expect(
        (await http().get('/things/a').expect(200)).headers['x-cache'],
      ).toBe('HIT');

      await redis.stop();
      for (let i = 0; i < 5; i++) {
        const r = await http().get('/things/a').expect(200);
        expect(r.body).toEqual({ id: 'a' });
        expect(r.headers['x-cache']).not.toBe('HIT');
      }

      await redis.restart();
      let state = '';
      for (let i = 0; i < 50 && state !== 'HIT'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        state = (await http().get('/things/b').expect(200)).headers[
          'x-cache'
        ] as string;
      }
      expect(state).toBe('HIT');
      expect(loads).toBeGreaterThan(2);
    } finally {
      await app.close();
      await stopAllRedisServers();
    }
  });
});
