import type { HttpAdapterHost } from '@nestjs/core';
import { createServer, request, type Server } from 'node:http';
import type { AppConfig } from '../config/app.config.js';
import { ShutdownDrainService } from './shutdown-drain.service.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

describe('ShutdownDrainService', () => {
  it('closes the connections of requests still running after the drain time', async () => {
    const server = createServer(() => {
      // never answers
    });
    const port = await listen(server);
    const drain = new ShutdownDrainService(
      {
        httpAdapter: { getHttpServer: () => server },
      } as unknown as HttpAdapterHost,
      { shutdownDrainMs: 100 } as AppConfig,
    );

    const hung = new Promise<string>((resolve) => {
      const req = request({ port, host: '127.0.0.1', path: '/' }, () =>
        resolve('answered'),
      );
      req.on('error', (error) => resolve(error.message));
      req.end();
    });
    await new Promise((resolve) => setTimeout(resolve, 20));

    const started = Date.now();
    drain.beforeApplicationShutdown();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    drain.onApplicationShutdown();

    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await hung).toBe('socket hang up');
  });

  it('does nothing when the server is not listening', () => {
    const drain = new ShutdownDrainService(
      {
        httpAdapter: { getHttpServer: () => createServer() },
      } as unknown as HttpAdapterHost,
      { shutdownDrainMs: 100 } as AppConfig,
    );
    expect(() => {
      drain.beforeApplicationShutdown();
      drain.onApplicationShutdown();
    }).not.toThrow();
  });
});
