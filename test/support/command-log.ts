import { Redis } from 'ioredis';

/**
 * Counts the commands clients send to a Redis of this file's own, seen
 * through MONITOR: commands run inside a script are told apart (their
 * source is `lua`), so a script is one command, one round trip.
 */
export class CommandLog {
  private lines: string[][] = [];
  private constructor(
    private readonly client: Redis,
    private readonly monitor: Redis,
    private readonly url: string,
  ) {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua')
        this.lines.push([args[0].toLowerCase(), ...args.slice(1)]);
    });
  }

  static async start(url: string): Promise<CommandLog> {
    // monitor() opens a connection of its own: both are closed in close()
    const client = new Redis(url);
    const monitor = await client.monitor();
    return new CommandLog(client, monitor, url);
  }

  /**
   * The commands sent while `run` ran, each as its name (lower case) and
   * arguments (MONITOR answers asynchronously: a PING marks the end).
   */
  async during(run: () => Promise<unknown>): Promise<string[][]> {
    const probe = new Redis(this.url);
    await probe.ping();
    await this.until('ping');
    this.lines = [];
    await run();
    await probe.ping();
    await this.until('ping');
    probe.disconnect();
    return this.lines.filter((c) => c[0] !== 'ping');
  }

  private async until(command: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      if (this.lines.some((c) => c[0] === command)) return;
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error(`MONITOR never showed ${command}`);
  }

  close(): void {
    this.monitor.disconnect();
    this.client.disconnect();
  }
}
