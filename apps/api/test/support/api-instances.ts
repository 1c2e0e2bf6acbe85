import { findFreePort } from '../../../../test/support/free-port.js';
import {
  ensureBuiltApp,
  spawnBuiltApp,
  type BuiltAppProcess,
} from './built-app.js';

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** One API process of several on one Redis and one PostgreSQL. */
export class ApiInstance {
  private constructor(readonly process: BuiltAppProcess) {}

  /** Starts the built app and waits until its startup probe answers. */
  static async start(env: Record<string, string>): Promise<ApiInstance> {
    const main = await ensureBuiltApp();
    const instance = new ApiInstance(
      spawnBuiltApp(main, await findFreePort(), env),
    );
    const { child } = instance.process;
    const deadline = Date.now() + 60_000;
    while ((await instance.probe()) !== 200) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await instance.process.kill();
        throw new Error(`not started:\n${instance.process.output()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return instance;
  }

  get port(): number {
    return this.process.port;
  }

  private async probe(): Promise<number> {
    try {
      return (await this.call('GET', '/health/startup')).status;
    } catch {
      return 0;
    }
  }

  /** A request, with the caller's API key when given; bounded by `timeoutMs`. */
  async call<T = unknown>(
    method: string,
    path: string,
    options: { apiKey?: string; body?: unknown; timeoutMs?: number } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = {};
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    if (options.body !== undefined)
      headers['content-type'] = 'application/json';
    const res = await fetch(`http://127.0.0.1:${this.port}${path}`, {
      method,
      headers,
      body:
        options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: res.headers,
    };
  }

  /** Like call(), but fails unless the status is `expected`. */
  async expect<T = unknown>(
    expected: number,
    method: string,
    path: string,
    options: { apiKey?: string; body?: unknown } = {},
  ): Promise<T> {
    const answer = await this.call<T>(method, path, options);
    if (answer.status !== expected)
      throw new Error(
        `${method} ${path} on :${this.port} answered ${answer.status} (not ${expected}): ${JSON.stringify(answer.body)}`,
      );
    return answer.body;
  }

  pause(): void {
    this.process.child.kill('SIGSTOP');
  }

  resume(): void {
    this.process.child.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.resume();
    await this.process.kill();
  }
}
