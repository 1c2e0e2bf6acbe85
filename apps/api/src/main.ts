import { NestFactory } from '@nestjs/core';
import {
  FastifyAdapter,
  type NestFastifyApplication,
} from '@nestjs/platform-fastify';
import { Controller, Get, Module } from '@nestjs/common';
import { LexikonCacheModule } from '@lexikon/cache';

@Controller()
class HelloController {
  @Get()
  hello() {
    return { hello: 'lexikon' };
  }
}

@Module({ imports: [LexikonCacheModule.forRoot({})], controllers: [HelloController] })
class AppModule {}

async function bootstrap() {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    new FastifyAdapter(),
  );
  await app.listen(Number(process.env.PORT ?? 3000), '0.0.0.0');
}
void bootstrap();
