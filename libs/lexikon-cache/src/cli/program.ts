import { Command, Option } from 'commander';
import {
  collect,
  parseDuration,
  parseHostList,
  parseInteger,
  parsePort,
  type HostPort,
} from './arguments.js';
import { EXIT, type ExitCode } from './cli-error.js';
import { runGet } from './commands/get.js';
import { runInvalidate } from './commands/invalidate.js';
import { runScan } from './commands/scan.js';
import { runStats } from './commands/stats.js';
import { connect, type Connection } from './connection.js';
import { Output, type CliStreams } from './output.js';
import { createProgress } from './progress.js';

interface GlobalOptions {
  url?: string;
  host?: string;
  port?: number;
  password?: string;
  db?: number;
  cluster?: HostPort[];
  sentinels?: HostPort[];
  name?: string;
  prefix: string;
  timeout: number;
  json?: boolean;
}

function addGlobalOptions(program: Command): void {
  program
    .addOption(
      new Option('--url <url>', 'redis://[user:password@]host:port/db').env(
        'REDIS_URL',
      ),
    )
    .addOption(new Option('--host <host>', 'Redis host').env('REDIS_HOST'))
    .addOption(
      new Option('--port <port>', 'Redis port')
        .env('REDIS_PORT')
        .argParser(parsePort),
    )
    .addOption(
      new Option('--password <password>', 'Redis password (never printed)').env(
        'REDIS_PASSWORD',
      ),
    )
    .addOption(
      new Option('--db <n>', 'database number')
        .env('REDIS_DB')
        .argParser(parseInteger(0)),
    )
    .addOption(
      new Option(
        '--cluster <nodes>',
        'Redis Cluster seed nodes, host:port,...',
      ).argParser(parseHostList(6379)),
    )
    .addOption(
      new Option(
        '--sentinels <nodes>',
        'Redis Sentinel nodes, host:port,... (with --name)',
      ).argParser(parseHostList(26379)),
    )
    .addOption(new Option('--name <master>', 'Sentinel master group name'))
    .addOption(
      new Option('--prefix <prefix>', 'key prefix of the cache')
        .env('REDIS_KEY_PREFIX')
        .default('lexikon:'),
    )
    .addOption(
      new Option(
        '--timeout <duration>',
        'longest wait for Redis: to connect, and for each command',
      )
        .argParser(parseDuration)
        .default(2_000, '2s'),
    )
    .option('--json', 'print one JSON document on stdout, for scripts');
}

/** Command-line flags win over the environment: an explicit --host is not overridden by REDIS_URL. */
function settingsOf(cmd: Command) {
  const o = cmd.optsWithGlobals<GlobalOptions>();
  const fromCli = (name: string) =>
    cmd.getOptionValueSourceWithGlobals(name) === 'cli';
  const explicitHost = fromCli('host') || fromCli('port');
  const url = fromCli('url') || !explicitHost ? o.url : undefined;
  return { ...o, url, timeoutMs: o.timeout };
}

type Run = (conn: Connection, out: Output) => Promise<ExitCode>;

/**
 * The `lexikon-cache` program. Each action stores its exit code in
 * `state.exitCode`; errors reach the caller (CliError, CommanderError).
 */
export function buildProgram(
  streams: CliStreams,
  state: { exitCode: ExitCode; output?: Output },
): Command {
  const program = new Command('lexikon-cache')
    .description(
      'Inspect and invalidate the Redis key space of @lexikon/cache (SCAN only, never KEYS)',
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(lexikon-cache --help lists the commands)');
  addGlobalOptions(program);

  const withConnection = async (cmd: Command, run: Run) => {
    const settings = settingsOf(cmd);
    const out = new Output(streams, settings.json === true);
    state.output = out;
    const conn = await connect(settings, out.logger());
    try {
      state.exitCode = await run(conn, out);
    } finally {
      await conn.close();
    }
  };

  program
    .command('stats')
    .description(
      'keys, sampled memory and TTL spread per namespace (tag versions as {tags})',
    )
    .option(
      '--sample <n>',
      'keys per namespace measured with MEMORY USAGE',
      parseInteger(0),
      50,
    )
    .option(
      '--top <n>',
      'namespaces listed; the rest summed up',
      parseInteger(1),
      50,
    )
    .action(async (o: { sample: number; top: number }, cmd: Command) => {
      const json = cmd.optsWithGlobals<GlobalOptions>().json === true;
      const progress = createProgress(streams.stderr, !json);
      await withConnection(cmd, (conn, out) =>
        runStats(conn, out, progress, o),
      );
    });

  program
    .command('get')
    .description(
      'a key: its decoded value, TTL, tags (current or not) and size; exit 1 when absent',
    )
    .argument(
      '<key>',
      'the key as the application names it (without the prefix)',
    )
    .action(async (key: string, _o: unknown, cmd: Command) => {
      await withConnection(cmd, (conn, out) => runGet(conn, out, key));
    });

  program
    .command('invalidate')
    .description(
      'invalidate keys, tags or patterns through the library (leases, principal copies, hashed keys)',
    )
    .option('--key <key>', 'a key (repeatable)', collect, [])
    .option('--tag <tag>', 'a tag (repeatable)', collect, [])
    .option(
      '--pattern <pattern>',
      'a pattern, * the only wildcard (repeatable)',
      collect,
      [],
    )
    .option('--dry-run', 'say what would be invalidated, change nothing')
    .option(
      '--confirm-over <n>',
      'ask before a pattern invalidates more keys than this',
      parseInteger(0),
      1000,
    )
    .option('-y, --yes', 'do not ask (needed without a terminal)')
    .action(
      async (
        o: {
          key: string[];
          tag: string[];
          pattern: string[];
          dryRun?: boolean;
          confirmOver: number;
          yes?: boolean;
        },
        cmd: Command,
      ) => {
        if (!o.key.length && !o.tag.length && !o.pattern.length) {
          cmd.error('error: give --key, --tag or --pattern', {
            exitCode: EXIT.usage,
            code: 'lexikon.noTarget',
          });
        }
        await withConnection(cmd, (conn, out) =>
          runInvalidate(conn, out, {
            keys: o.key,
            tags: o.tag,
            patterns: o.pattern,
            dryRun: o.dryRun === true,
            yes: o.yes === true,
            confirmOver: o.confirmOver,
          }),
        );
      },
    );

  program
    .command('scan')
    .description(
      'keys matching a pattern (* the only wildcard), with TTL and size; exit 1 when none',
    )
    .argument('<pattern>', 'e.g. "user:*"')
    .option('--limit <n>', 'most keys listed', parseInteger(1), 1000)
    .action(async (pattern: string, o: { limit: number }, cmd: Command) => {
      await withConnection(cmd, (conn, out) => runScan(conn, out, pattern, o));
    });

  return program;
}
