import { connect, createServer, type Server, type Socket } from 'node:net';
import { findFreePort } from './free-port.js';

/**
 * - 'pass': forwards bytes both ways.
 * - 'stall': a hung server: connections are accepted and kept open, but no
 *   byte moves in either direction (bytes wait in the proxy, closes too, and
 *   flow again, in order, when the mode returns to 'pass').
 *   `stallOn(pattern)` enters it when a client sends a given statement.
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
  /** Client bytes caught by {@link FaultProxy.stallOn}, sent on when passing again. */
  held: Buffer[];
  /** Sockets to end once passing again: their peer closed while stalled. */
  endsHeld: Set<Socket>;
}

interface StallTrigger {
  pattern: RegExp;
  fired: () => void;
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
  private trigger?: StallTrigger;
  /**
   * Delay of every chunk (and close) passed either way, in ms: a slow link.
   * Chunks keep their order.
   */
  latencyMs = 0;

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
      // half-open: a client's close is passed on after the bytes before it
      const server = createServer({ allowHalfOpen: true });
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

  /**
   * Black-holes the link as soon as a client sends a chunk matching `pattern`
   * (e.g. one SQL statement; the chunk is matched as latin1 text, so the
   * pattern must fit in one write): the mode becomes 'stall', and that chunk
   * waits in the proxy, like everything else. Returning to 'pass' delivers it
   * first, then whatever followed, including a close the client made
   * meanwhile: the bytes reach the server late, after the client gave up.
   * Resolves when the chunk arrived.
   */
  stallOn(pattern: RegExp): Promise<void> {
    return new Promise((fired) => {
      this.trigger = { pattern, fired };
    });
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
        for (const pipe of this.pipes) {
          if (mode === 'pass') this.release(pipe);
          this.setFlowing(pipe);
        }
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

  /** Sends on what {@link stallOn} held, ahead of anything read later, then the closes that waited. */
  private release(pipe: Pipe): void {
    for (const chunk of pipe.held.splice(0)) pipe.upstream.write(chunk);
    for (const socket of pipe.endsHeld) socket.end();
    pipe.endsHeld.clear();
  }

  /** Passes a close (FIN) on, after the bytes before it: while stalled, once passing again. */
  private passEnd(pipe: Pipe, to: Socket): void {
    if (this.currentMode === 'pass' && pipe.held.length === 0) to.end();
    else pipe.endsHeld.add(to);
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
      allowHalfOpen: true,
    });
    const pipe: Pipe = { client, upstream, held: [], endsHeld: new Set() };
    this.pipes.add(pipe);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const teardown = (): void => {
      if (!this.pipes.delete(pipe)) return;
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) socket.on('error', teardown);
    // A close (FIN) is passed on once the bytes before it are written; the
    // pipe goes once both sides are closed.
    client.on('end', () => this.later(() => this.passEnd(pipe, upstream)));
    upstream.on('end', () => this.later(() => this.passEnd(pipe, client)));
    const closed = (): void => {
      if (client.destroyed && upstream.destroyed) this.pipes.delete(pipe);
    };
    client.on('close', closed);
    upstream.on('close', closed);
    this.forward(pipe, client, upstream);
    this.forward(pipe, upstream, client);
    this.setFlowing(pipe);
  }

  private forward(pipe: Pipe, from: Socket, to: Socket): void {
    const fromClient = from === pipe.client;
    from.on('data', (chunk: Buffer) => {
      if (fromClient && (pipe.held.length > 0 || this.triggers(chunk))) {
        pipe.held.push(chunk);
        return;
      }
      if (this.latencyMs > 0) {
        this.later(() => {
          if (!to.destroyed) to.write(chunk);
        });
        return;
      }
      if (to.write(chunk)) return;
      // Backpressure: read again once the other side drained (if still passing).
      from.pause();
      to.once('drain', () => {
        if (this.currentMode === 'pass') from.resume();
      });
    });
  }

  /** Runs `step` after the latency (timers of one delay fire in order). */
  private later(step: () => void): void {
    if (this.latencyMs > 0) setTimeout(step, this.latencyMs);
    else step();
  }

  /** Whether `chunk` fires the {@link stallOn} trigger (which then stalls everything). */
  private triggers(chunk: Buffer): boolean {
    const trigger = this.trigger;
    if (!trigger || !trigger.pattern.test(chunk.toString('latin1'))) {
      return false;
    }
    this.trigger = undefined;
    this.currentMode = 'stall';
    for (const pipe of this.pipes) this.setFlowing(pipe);
    trigger.fired();
    return true;
  }
}

/** Closes every FaultProxy this test file started. For afterAll. */
export async function closeAllFaultProxies(): Promise<void> {
  await Promise.all([...open].map((proxy) => proxy.close()));
}
