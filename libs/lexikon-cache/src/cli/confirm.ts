import { createInterface } from 'node:readline/promises';
import type { CliStreams } from './output.js';

/** Whether a person can be asked: stdin and stderr are terminals. */
export function canAsk(streams: CliStreams): boolean {
  return Boolean(streams.stdin.isTTY && streams.stderr.isTTY);
}

/** Asks a yes/no question on stderr; only `y` or `yes` is a yes. */
export async function confirm(
  streams: CliStreams,
  question: string,
): Promise<boolean> {
  const rl = createInterface({
    input: streams.stdin,
    output: streams.stderr,
    terminal: true,
  });
  try {
    // end of input (Ctrl-D) is a no
    const closed = new Promise<string>((resolve) =>
      rl.once('close', () => resolve('')),
    );
    const answer = await Promise.race([
      rl.question(`${question} [y/N] `),
      closed,
    ]);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
