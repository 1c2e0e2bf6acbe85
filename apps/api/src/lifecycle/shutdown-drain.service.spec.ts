import type { HttpAdapterHost } from '@nestjs/core';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AppConfig } from '../config/app.config.js';
import { AppLifecycle } from './app-lifecycle.service.js';
import { ShutdownDrainService } from './shutdown-drain.service.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

function drainService(
  server: Server,
  settings: Partial<AppConfig>,
  lifecycle = new AppLifecycle(),
): ShutdownDrainService {
  return new ShutdownDrainService(
    {
      httpAdapter: { getHttpServer: () => server },
    } as unknown as HttpAdapterHost,
    { shutdownReadyDelayMs: 0, shutdownDrainMs: 100, ...settings } as AppConfig,
    lifecycle,
  );
}

/** Resolves with 'answered' or the request's error message. */
function hangingRequest(port: number): Promise<string> {
  return new Promise<string>((resolve) => {
    const req = request({ port, host: '127.0.0.1', path: '/' }, () =>
      resolve('answered'),
    );
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

describe('ShutdownDrainService', () => {
  it('closes the connections of requests still running after the drain time', async () => {
    const server = createServer(() => {
      // never answers
    });
    const port = await listen(server);
    const drain = drainService(server, { shutdownDrainMs: 100 });

    const hung = hangingRequest(port);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const started = Date.now();
    await drain.beforeApplicationShutdown();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    drain.onApplicationShutdown();

    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await hung).toBe('socket hang up');
  });

  it('closes a keep-alive connection once its request is answered, without waiting for the drain time', async () => {
    let answer: (() => void) | undefined;
    const server = createServer((_req, res) => {
      answer = () => res.end('ok');
    });
    const port = await listen(server);
    const agent = new Agent({ keepAlive: true });
    const answered = new Promise<void>((resolve, reject) => {
      request({ port, host: '127.0.0.1', path: '/', agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      })
        .on('error', reject)
        .end();
    });
    while (!answer) await new Promise((resolve) => setTimeout(resolve, 5));
    const drain = drainService(server, { shutdownDrainMs: 5_000 });

    const started = Date.now();
    await drain.beforeApplicationShutdown();
    const closed = new Promise<void>((resolve) =>
      server.close(() => resolve()),
    );
    answer();
    await answered;
    await closed;
    drain.onApplicationShutdown();
    agent.destroy();

    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('marks the app shutting down, and on SIGTERM keeps listening for the ready delay first', async () => {
    const server = createServer((_req, res) => res.end('ok'));
    await listen(server);
    const lifecycle = new AppLifecycle();
    lifecycle.markRunning();
    const drain = drainService(
      server,
      { shutdownReadyDelayMs: 150, shutdownDrainMs: 100 },
      lifecycle,
    );

    const started = Date.now();
    const before = drain.beforeApplicationShutdown('SIGTERM');
    expect(lifecycle.phase).toBe('shutting-down');
    await before;
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.listening).toBe(true);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    drain.onApplicationShutdown();
  });

  it.each([
    ['SIGINT', 'SIGINT'],
    ['close() (no signal)', undefined],
  ])('does not wait for the ready delay on %s', async (_label, signal) => {
    const server = createServer((_req, res) => res.end('ok'));
    await listen(server);
    const drain = drainService(server, { shutdownReadyDelayMs: 5_000 });
    const started = Date.now();
    await drain.beforeApplicationShutdown(signal);
    expect(Date.now() - started).toBeLessThan(1_000);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    drain.onApplicationShutdown();
  });

  it('only marks the app shutting down when the server is not listening', async () => {
    const lifecycle = new AppLifecycle();
    const drain = drainService(createServer(), {}, lifecycle);
    await drain.beforeApplicationShutdown('SIGTERM');
    drain.onApplicationShutdown();
    expect(lifecycle.phase).toBe('shutting-down');
  });
});
