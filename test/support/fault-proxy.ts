import { connect, createServer, type Server, type Socket } from 'node:net';
import { findFreePort } from './free-port.js';

/**
 * - 'pass': forwards bytes both ways.
 * - 'stall': a hung server: connections are accepted and kept open, but no
 *   byte moves in either direction (the proxy stops reading, so bytes wait in
 *   the kernel and flow again, in order, when the mode returns to 'pass').
 * - 'refuse': the listener is closed (new connections get ECONNREFUSED) and
 *   every current connection is destroyed. Going back to 'pass' or 'stall'
 *   listens again on the same port.
 * - 'reset': destroys every current connection once (RST towards the client),
 *   then behaves as 'pass'.
 */
export type FaultMode = 'pass' | 'stall' | 'refuse' | 'reset';

interface Pipe {
  client: Socket;
  upstream: Socket;
}

const open = new Set<FaultProxy>();

/**
 * A TCP proxy on 127.0.0.1 in front of a target (Redis, PostgreSQL, ...), to
 * inject network faults between a client under test and its server.
 * Close it in afterAll (`closeAllFaultProxies()` closes all of a test file's).
 */
export class FaultProxy {
  readonly host = '127.0.0.1';
  private currentMode: Exclude<FaultMode, 'reset'> = 'pass';
  private readonly pipes = new Set<Pipe>();
  private listening = false;
  private closed = false;
  private modeChange: Promise<void> = Promise.resolve();

  private constructor(
    private readonly target: { host: string; port: number },
    private readonly server: Server,
    readonly port: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: {
    host: string;
    port: number;
  }): Promise<FaultProxy> {
    for (let attempt = 1; ; attempt++) {
      const server = createServer();
      const proxy = new FaultProxy(target, server, await findFreePort());
      try {
        await proxy.listen();
        open.add(proxy);
        return proxy;
      } catch (error) {
        const taken = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
        if (!taken || attempt >= 5) throw error;
      }
    }
  }

  /** `scheme://127.0.0.1:port`, e.g. for ioredis. */
  url(scheme = 'redis'): string {
    return `${scheme}://${this.host}:${this.port}`;
  }

  /**
   * `url` with its host and port replaced by the proxy's, keeping user,
   * password, database and query (e.g. a PostgreSQL connection string).
   */
  urlFor(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = this.host;
    parsed.port = String(this.port);
    return parsed.toString();
  }

  get mode(): Exclude<FaultMode, 'reset'> {
    return this.currentMode;
  }

  /** Connections from clients that are open now. */
  get connectionCount(): number {
    return this.pipes.size;
  }

  /**
   * Switches the fault mode. The returned promise resolves once the mode is
   * in effect (listener closed or listening again); await it.
   */
  setMode(mode: FaultMode): Promise<void> {
    const change = this.modeChange.then(() => this.applyMode(mode));
    this.modeChange = change.catch(() => undefined);
    return change;
  }

  /** Closes the listener and destroys every connection. */
  async close(): Promise<void> {
    this.closed = true;
    open.delete(this);
    this.destroyAll(false);
    await this.closeListener();
  }

  private async applyMode(mode: FaultMode): Promise<void> {
    if (this.closed) throw new Error('FaultProxy is closed');
    switch (mode) {
      case 'pass':
      case 'stall':
        this.currentMode = mode;
        for (const pipe of this.pipes) this.setFlowing(pipe);
        if (!this.listening) await this.listen();
        return;
      case 'refuse':
        this.currentMode = 'refuse';
        this.destroyAll(false);
        await this.closeListener();
        return;
      case 'reset':
        this.destroyAll(true);
        return this.applyMode('pass');
    }
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error);
      this.server.once('error', onError);
      this.server.listen({ port: this.port, host: this.host }, () => {
        this.server.off('error', onError);
        this.listening = true;
        resolve();
      });
    });
  }

  private closeListener(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private destroyAll(reset: boolean): void {
    for (const pipe of this.pipes) {
      if (reset && !pipe.client.destroyed) pipe.client.resetAndDestroy();
      else pipe.client.destroy();
      pipe.upstream.destroy();
    }
    this.pipes.clear();
  }

  private setFlowing(pipe: Pipe): void {
    if (this.currentMode === 'pass') {
      pipe.client.resume();
      pipe.upstream.resume();
    } else {
      pipe.client.pause();
      pipe.upstream.pause();
    }
  }

  private accept(client: Socket): void {
    if (this.currentMode === 'refuse' || this.closed) {
      client.destroy();
      return;
    }
    const upstream = connect({
      host: this.target.host,
      port: this.target.port,
    });
    const pipe: Pipe = { client, upstream };
    this.pipes.add(pipe);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const teardown = (): void => {
      if (!this.pipes.delete(pipe)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', teardown);
      socket.on('close', teardown);
    }
    this.forward(client, upstream);
    this.forward(upstream, client);
    this.setFlowing(pipe);
  }

  private forward(from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk)) return;
      // Backpressure: read again once the other side drained (if still passing).
      from.pause();
      to.once('drain', () => {
        if (this.currentMode === 'pass') from.resume();
      });
    });
  }
}

/** Closes every FaultProxy this test file started. For afterAll. */
export async function closeAllFaultProxies(): Promise<void> {
  await Promise.all([...open].map((proxy) => proxy.close()));
}
