import { createServer, type Socket } from 'node:net';

/**
 * A TCP listener on 127.0.0.1 (random free port) that accepts connections
 * and never writes a byte: a server that hangs right after accept. Whatever
 * clients send is read and discarded. close() destroys the connections and
 * stops listening.
 */
export function startHangingListener(): Promise<{
  port: number;
  close(): Promise<void>;
}> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    socket.resume();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      server.off('error', reject);
      const address = server.address();
      if (!address || typeof address !== 'object') {
        reject(new Error('hanging listener has no port'));
        return;
      }
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            if (!server.listening) done();
            else server.close(() => done());
          }),
      });
    });
  });
}
