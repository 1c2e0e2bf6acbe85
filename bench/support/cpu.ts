import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of /proc/<pid>/stat times. */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(
      execFileSync('getconf', ['CLK_TCK']).toString().trim(),
    );
    if (Number.isInteger(ticks) && ticks > 0) return ticks;
  } catch {
    // getconf missing: Linux uses USER_HZ = 100 everywhere in practice
  }
  return 100;
}

/** user + system CPU time of a process (all its threads), in clock ticks. */
export function processCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) is in parentheses and may contain spaces
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15
  return Number(fields[11]) + Number(fields[12]);
}

/** Parses a CPU list such as `0-3,6`. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = [];
  for (const part of list.trim().split(',')) {
    if (!part) continue;
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}

/** CPUs this process may run on, or undefined without taskset. */
export function allowedCpus(pid = process.pid): number[] | undefined {
  try {
    const out = execFileSync('taskset', ['-p', '-c', String(pid)]).toString();
    return parseCpuList(out.slice(out.lastIndexOf(':') + 1));
  } catch {
    return undefined;
  }
}

/** Pins every thread of a running process to one CPU. */
export function pinProcess(pid: number, cpu: number): void {
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], {
    stdio: 'ignore',
  });
}

export interface CorePlan {
  /** CPU of the bench servers, or undefined when not pinned. */
  readonly server?: number;
  /** CPU of the runner (load generator) and of Redis. */
  readonly runner?: number;
  readonly note: string;
}

/** Server on the first allowed CPU, runner and Redis on the second. */
export function planCores(): CorePlan {
  const cpus = allowedCpus();
  if (!cpus) return { note: 'not pinned (taskset not available)' };
  if (cpus.length < 2)
    return { note: `not pinned (only CPU ${cpus.join(',')} available)` };
  return {
    server: cpus[0],
    runner: cpus[1],
    note: `server pinned to CPU ${cpus[0]}; load generator and Redis pinned to CPU ${cpus[1]}${cpus.length > 2 ? ` (${cpus.length - 2} other CPUs left idle)` : ''}`,
  };
}

export interface CoreTicks {
  /** Ticks spent running anything (user, nice, system, irq, softirq). */
  readonly busy: number;
  /** Ticks the hypervisor gave to someone else. */
  readonly steal: number;
  readonly total: number;
}

/** Per-CPU counters from /proc/stat, by CPU number. */
export function coreTicks(): Map<number, CoreTicks> {
  const out = new Map<number, CoreTicks>();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2]
      .split(/\s+/)
      .map(Number);
    const busy = user + nice + system + irq + softirq;
    out.set(Number(m[1]), {
      busy,
      steal: steal || 0,
      total: busy + idle + iowait + (steal || 0),
    });
  }
  return out;
}

/**
 * CPU used by other processes than ours over a short sample, in % of one
 * CPU summed over all CPUs: a noisy neighbour makes every figure less
 * trustworthy, so the report records it.
 */
export async function foreignLoad(
  ownPids: readonly number[],
  ms: number,
): Promise<number> {
  const own = () =>
    ownPids.reduce((sum, pid) => {
      try {
        return sum + processCpuTicks(pid);
      } catch {
        return sum;
      }
    }, 0);
  const sum = (m: Map<number, CoreTicks>) =>
    [...m.values()].reduce((a, c) => a + c.busy, 0);
  const a = coreTicks();
  const ownA = own();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const b = coreTicks();
  const ownB = own();
  const ticks = clockTicksPerSecond();
  const other = sum(b) - sum(a) - (ownB - ownA);
  return Math.max(0, (other / ticks / (ms / 1000)) * 100);
}

export interface ServerCpu<T> {
  readonly result: T;
  /** Ticks the server process used. */
  readonly cpuTicks: number;
  /** What other processes used of the server's core, in % of it (NaN when not pinned). */
  readonly otherPct: number;
  readonly wallSec: number;
}

/**
 * The CPU a (pinned) server process used while `run` ran, 50 ms after it
 * included for its last responses, and what others used of its core.
 */
export async function serverCpuDuring<T>(
  pid: number,
  core: number | undefined,
  run: () => Promise<T>,
): Promise<ServerCpu<T>> {
  const core0 = core === undefined ? undefined : coreTicks().get(core);
  const cpu0 = processCpuTicks(pid);
  const wall0 = process.hrtime.bigint();
  const result = await run();
  const wallSec = Number(process.hrtime.bigint() - wall0) / 1e9;
  await new Promise((resolve) => setTimeout(resolve, 50));
  const cpuTicks = processCpuTicks(pid) - cpu0;
  const core1 = core === undefined ? undefined : coreTicks().get(core);
  const total = core0 && core1 ? core1.total - core0.total : 0;
  const otherPct =
    core0 && core1 && total > 0
      ? Math.max(0, ((core1.busy - core0.busy - cpuTicks) / total) * 100)
      : NaN;
  return { result, cpuTicks, otherPct, wallSec };
}
