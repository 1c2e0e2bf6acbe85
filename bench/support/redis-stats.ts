import type { Redis } from 'ioredis';

/** Calls per command, from INFO commandstats. */
export type CommandCounts = Record<string, number>;

/** Commands the bench itself sends to observe Redis; never counted. */
const OBSERVER_COMMANDS = new Set([
  'info',
  'monitor',
  'client',
  'config',
  'dbsize',
  'flushall',
  'ping',
  'memory',
]);

export async function commandCounts(redis: Redis): Promise<CommandCounts> {
  const text = await redis.info('commandstats');
  const counts: CommandCounts = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line);
    if (m && !OBSERVER_COMMANDS.has(m[1].split('|')[0]))
      counts[m[1]] = Number(m[2]);
  }
  return counts;
}

export function diffCounts(
  before: CommandCounts,
  after: CommandCounts,
): CommandCounts {
  const out: CommandCounts = {};
  for (const [cmd, n] of Object.entries(after)) {
    const d = n - (before[cmd] ?? 0);
    if (d > 0) out[cmd] = d;
  }
  return out;
}

export function totalCount(counts: CommandCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

/** Counts divided by `by`, rounded to 3 decimals. */
export function perUnit(counts: CommandCounts, by: number): CommandCounts {
  const out: CommandCounts = {};
  for (const [cmd, n] of Object.entries(counts))
    out[cmd] = Math.round((n / by) * 1000) / 1000;
  return out;
}

export async function infoField(
  redis: Redis,
  section: string,
  field: string,
): Promise<number> {
  const text = await redis.info(section);
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(text);
  if (!m) throw new Error(`INFO ${section} has no ${field}`);
  return Number(m[1]);
}

export interface MonitorCount {
  /** Commands sent by clients: one round trip each (pipelines aside). */
  readonly clientCommands: CommandCounts;
  /** Commands run inside Lua scripts (they cost no round trip). */
  readonly scriptCommands: CommandCounts;
}

/**
 * Runs `work` with a MONITOR connection open and counts the commands Redis
 * saw from clients and from scripts. MONITOR slows Redis down: use it for
 * short probes, never during a timed round.
 */
export async function monitorCommands(
  redis: Redis,
  work: () => Promise<void>,
): Promise<MonitorCount> {
  const monitor = await redis.monitor();
  const clientCommands: CommandCounts = {};
  const scriptCommands: CommandCounts = {};
  const marker = `bench-monitor-end-${Date.now()}-${Math.random()}`;
  let sawMarker: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    sawMarker = resolve;
  });
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    const cmd = String(args[0] ?? '').toLowerCase();
    if (cmd === 'echo' && args[1] === marker) {
      sawMarker();
      return;
    }
    if (OBSERVER_COMMANDS.has(cmd)) return;
    const into = source === 'lua' ? scriptCommands : clientCommands;
    into[cmd] = (into[cmd] ?? 0) + 1;
  });
  try {
    await work();
    // MONITOR output is ordered: once our marker is seen, all earlier commands were too
    await redis.echo(marker);
    await Promise.race([
      ended,
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]);
  } finally {
    monitor.disconnect();
  }
  return { clientCommands, scriptCommands };
}
