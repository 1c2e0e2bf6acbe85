#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError, EXIT, exitName, type ExitCode } from './cli-error.js';
import { Output, type CliStreams } from './output.js';
import { buildProgram } from './program.js';

/** Exit code of an error that is neither ours nor Redis': a bug of the CLI. */
const INTERNAL_ERROR = 70;

const REDIS_FAULT =
  /timed out|Connection is closed|Stream isn't writeable|ECONN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|CLUSTERDOWN|LOADING|MOVED|TRYAGAIN|NOAUTH|WRONGPASS|NOPERM/;

/** ioredis' errors: replies Redis refused, and connections that failed. */
function isRedisFault(err: unknown): err is Error {
  return (
    err instanceof Error &&
    ([
      'ReplyError',
      'MaxRetriesPerRequestError',
      'ClusterAllFailedError',
    ].includes(err.name) ||
      REDIS_FAULT.test(err.message))
  );
}

async function main(argv: string[]): Promise<number> {
  const streams: CliStreams = {
    stdout: process.stdout,
    stderr: process.stderr,
    // created only when a confirmation needs it
    get stdin() {
      return process.stdin;
    },
  };
  const state: { exitCode: ExitCode; output?: Output } = {
    exitCode: EXIT.ok,
  };
  try {
    await buildProgram(streams, state).parseAsync(argv);
    return state.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    const out = state.output ?? new Output(streams, false);
    if (err instanceof CliError) {
      out.error(exitName(err.exitCode), err.message);
      return err.exitCode;
    }
    if (isRedisFault(err)) {
      out.error('UNREACHABLE', `Redis: ${err.message}`);
      return EXIT.unreachable;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : err;
    out.error('INTERNAL', `unexpected error: ${String(detail)}`);
    return INTERNAL_ERROR;
  }
}

const code = await main(process.argv);
process.exitCode = code;
// every connection is closed by now; should anything still hold the process, do not hang
setTimeout(() => process.exit(code), 1_000).unref();
