import type { Cluster, Redis } from 'ioredis';

/** Resolves true once the client is ready, false if `timeoutMs` passes first. */
export function whenClientReady(
  client: Redis | Cluster,
  timeoutMs: number,
): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
  });
}
