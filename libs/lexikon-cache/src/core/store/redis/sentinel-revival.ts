import type { Cluster, Redis } from 'ioredis';

const revivals = new WeakMap<Redis | Cluster, () => void>();

/**
 * Keeps a Sentinel client of ours connecting after ioredis gave it up.
 *
 * ioredis 5 ends a Sentinel client for good when a failover notice
 * (`+switch-master`, seen by the failover detector of the connection that
 * just dropped) aborts the reconnect it has under way: the connect rejects
 * with "Connection is closed." and no retry is scheduled. A master killed
 * under load hits it, and the instance would stay fail-open (every read a
 * miss, nothing published to the in-process tier) until restarted. On such
 * an end, connect again after the client's own retry delay; a
 * `retryStrategy` that returns no number still means "stop".
 * {@link stopReviving} before closing the client.
 */
export function reviveWhenEnded(client: Redis): void {
  let attempts = 0;
  let timer: NodeJS.Timeout | undefined;
  const onEnd = (): void => {
    if (timer) return;
    const delay = client.options.retryStrategy?.(++attempts);
    if (typeof delay !== 'number') return;
    timer = setTimeout(() => {
      timer = undefined;
      if (client.status === 'end') client.connect().catch(() => undefined);
    }, delay);
    timer.unref();
  };
  const onReady = (): void => {
    attempts = 0;
  };
  client.on('end', onEnd);
  client.on('ready', onReady);
  revivals.set(client, () => {
    clearTimeout(timer);
    client.off('end', onEnd);
    client.off('ready', onReady);
  });
}

/** Lets a client closed by its owner stay closed. */
export function stopReviving(client: Redis | Cluster): void {
  revivals.get(client)?.();
  revivals.delete(client);
}
