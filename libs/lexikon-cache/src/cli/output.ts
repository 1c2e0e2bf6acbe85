import type { CacheLogger } from '../core/logger.js';

/** The streams a command writes to (the process's, or a test's). */
export interface CliStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
}

/**
 * What a command prints: one JSON document on stdout with `--json`, else
 * text for people. Notes and errors go to stderr either way, so stdout stays
 * parseable.
 */
export class Output {
  constructor(
    readonly streams: CliStreams,
    readonly json: boolean,
  ) {}

  /** The result: `data` as JSON, or the text `human()` renders. */
  result(data: unknown, human: () => string): void {
    const text = this.json ? JSON.stringify(data, null, 2) : human();
    this.streams.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  note(message: string): void {
    this.streams.stderr.write(`${message}\n`);
  }

  /** An error: on stderr, and with `--json` also as `{ "error": ... }` on stdout. */
  error(code: string, message: string): void {
    if (this.json) {
      this.streams.stdout.write(
        `${JSON.stringify({ error: { code, message } }, null, 2)}\n`,
      );
    }
    this.streams.stderr.write(`lexikon-cache: ${message}\n`);
  }

  /** The library's log, for the engine: warnings and errors only. */
  logger(): CacheLogger {
    const write = (m: string) => this.note(`lexikon-cache: ${m}`);
    return {
      log: () => undefined,
      debug: () => undefined,
      warn: write,
      error: write,
    };
  }
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '-';
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < UNITS.length - 1) {
    n /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${UNITS[u]}`;
}

const SPANS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** A PTTL for people: `4m 59s`, `no TTL`, `-` when unknown. */
export function formatTtl(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || ms === -2) return '-';
  if (ms === -1) return 'no TTL';
  if (ms < 1_000) return `${ms}ms`;
  const parts: string[] = [];
  let left = ms;
  for (const [unit, size] of SPANS) {
    if (left >= size) {
      parts.push(`${Math.floor(left / size)}${unit}`);
      left %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** Left-aligned columns; numbers are right-aligned when `right` names their column. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: ReadonlySet<number> = new Set(),
): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
