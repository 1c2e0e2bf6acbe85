/** The exit codes of the CLI, documented in the README. */
export const EXIT = {
  ok: 0,
  /** The key is absent, or nothing matched. */
  notFound: 1,
  /** A usage error: commander's, a bad value, or a refused confirmation. */
  usage: 2,
  /** Redis did not answer within `--timeout`, refused us, or did not confirm. */
  unreachable: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as a message and an exit code, without a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static usage(message: string): CliError {
    return new CliError(EXIT.usage, message);
  }

  static unreachable(message: string, cause?: unknown): CliError {
    return new CliError(EXIT.unreachable, message, { cause });
  }
}

/** The name of an exit code, for `--json` error objects. */
export function exitName(code: ExitCode): string {
  switch (code) {
    case EXIT.ok:
      return 'OK';
    case EXIT.notFound:
      return 'NOT_FOUND';
    case EXIT.usage:
      return 'USAGE';
    case EXIT.unreachable:
      return 'UNREACHABLE';
  }
}
