import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';
import type { ScriptReply } from './batch-codec.js';
import type { StoreScript } from './scripts/index.js';

function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/**
 * Runs the store's scripts: EVALSHA, and EVAL when a server has not cached
 * the script yet (which caches it there), so no loading step is needed.
 *
 * Not ioredis `defineCommand`: with auto-pipelining in a cluster (ours, or
 * an application's client), ioredis routes a defined command by its first
 * argument, which for a variable number of keys is the count, not a key,
 * and pipelined defined scripts then fail ("All keys in the pipeline should
 * belong to the same slots allocation group"); EVALSHA and EVAL are routed
 * by their real keys.
 */
export class ScriptRunner {
  private readonly shas = new Map<StoreScript, string>();

  constructor(private readonly client: Redis | Cluster) {}

  private shaOf(script: StoreScript): string {
    let sha = this.shas.get(script);
    if (sha === undefined) {
      sha = createHash('sha1').update(script.lua).digest('hex');
      this.shas.set(script, sha);
    }
    return sha;
  }

  async run(
    script: StoreScript,
    keys: readonly string[],
    args: readonly (string | number)[],
  ): Promise<ScriptReply> {
    try {
      return (await this.client.evalsha(
        this.shaOf(script),
        keys.length,
        ...keys,
        ...args,
      )) as ScriptReply;
    } catch (err) {
      if (!isNoScript(err)) throw err;
      return (await this.client.eval(
        script.lua,
        keys.length,
        ...keys,
        ...args,
      )) as ScriptReply;
    }
  }
}
