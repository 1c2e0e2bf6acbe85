import { binaryPackageName } from './library-symlinks.js';

const OUTPUT_TAIL_LINES = 40;

/** The last lines initdb and PostgreSQL printed, for error messages. */
export class OutputTail {
  private readonly lines: string[] = [];
  constructor(private readonly forward?: (line: string) => void) {}

  readonly add = (chunk: unknown): void => {
    for (const raw of String(chunk).split('\n')) {
      const line = raw.trimEnd();
      if (!line) continue;
      this.lines.push(line);
      if (this.lines.length > OUTPUT_TAIL_LINES) this.lines.shift();
      this.forward?.(line);
    }
  };

  failure(what: string, dataDir: string, cause: unknown): Error {
    const text = this.lines.join('\n');
    const hints: string[] = [];
    if (text.includes('error while loading shared libraries')) {
      hints.push(
        `the links among its libraries are missing and could not be made: run \`npm rebuild ${binaryPackageName()}\` with install scripts allowed`,
      );
    }
    if (process.getuid?.() === 0) {
      hints.push(
        'as root it runs as the postgres OS user, which must be able to read node_modules and reach the data directory',
      );
    }
    const hint = hints.length > 0 ? ` (${hints.join('; ')})` : '';
    return new Error(
      `${what}, data in ${dataDir}${hint}. Its last output:\n${text}`,
      { cause },
    );
  }
}
