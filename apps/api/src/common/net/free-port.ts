import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

export interface FindFreePortOptions {
  /** Interface to check; default '127.0.0.1'. */
  host?: string;
  /**
   * Returned when it is free (a well-known development port, say); otherwise
   * another port is picked as usual.
   */
  preferred?: number;
  /**
   * Also require `port + offset` to be free. Redis Cluster listens on its
   * cluster bus at port + 10000.
   */
  alsoFreeAtOffset?: number;
}

const LOWEST_PORT = 10000;
// Ports handed out by this process recently; a caller may not have bound them
// yet, so the next call must not return them again.
const handedOut = new Set<number>();

/** Lowest port the kernel uses for outgoing connections (32768 by default). */
function ephemeralPortStart(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
        .trim()
        .split(/\s+/)[0],
    );
    if (Number.isInteger(low) && low > LOWEST_PORT) return low;
  } catch {
    // not Linux: assume the IANA default range
  }
  return 49152;
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function ephemeralPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a probe listener'));
      });
    });
  });
}

/**
 * A TCP port that is free on `host` right now: the one helper for the app's
 * embedded PostgreSQL, the test support and the benchmark.
 *
 * Ports are picked at random below the kernel's ephemeral range, so that an
 * outgoing connection cannot take the port of a server that is stopped and
 * restarted on the same port, and parallel jest workers rarely pick the
 * same one. Whoever binds the port must still handle EADDRINUSE.
 */
export async function findFreePort(
  options: FindFreePortOptions = {},
): Promise<number> {
  const host = options.host ?? '127.0.0.1';
  const offset = options.alsoFreeAtOffset ?? 0;
  const free = async (port: number): Promise<boolean> =>
    !handedOut.has(port) &&
    !handedOut.has(port + offset) &&
    (await canListen(port, host)) &&
    (offset === 0 || (await canListen(port + offset, host)));
  const handOut = (port: number): number => {
    if (handedOut.size > 1000) handedOut.clear();
    handedOut.add(port);
    handedOut.add(port + offset);
    return port;
  };
  if (options.preferred !== undefined && (await free(options.preferred))) {
    return handOut(options.preferred);
  }
  const highest = Math.min(ephemeralPortStart(), 65536) - 1 - offset;
  if (highest - LOWEST_PORT >= 1000) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = randomInt(LOWEST_PORT, highest + 1);
      if (await free(port)) return handOut(port);
    }
  }
  if (offset === 0) return ephemeralPort(host);
  throw new Error(
    `findFreePort: found no free port p on ${host} with p + ${offset} free as well`,
  );
}
