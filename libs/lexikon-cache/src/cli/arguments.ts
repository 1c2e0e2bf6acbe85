import { InvalidArgumentError } from 'commander';
import { durationMs } from '../core/time/duration.js';

/** A node address of `--cluster` or `--sentinels`. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) {
    throw new InvalidArgumentError(
      `${JSON.stringify(text)} is not a port (1-65535).`,
    );
  }
  return n;
}

export function parsePort(text: string): number {
  return port(text.trim());
}

/** A whole number >= `min`. */
export function parseInteger(min: number): (text: string) => number {
  return (text) => {
    const n = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected a whole number >= ${min}.`);
    }
    return n;
  };
}

/** Milliseconds of a duration (`500`, `'500ms'`, `'2s'`). */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const ms = durationMs(/^\d+$/.test(trimmed) ? Number(trimmed) : trimmed);
  if (ms === undefined) {
    throw new InvalidArgumentError(
      "expected a duration: ms, or a number with a unit such as '500ms', '2s'.",
    );
  }
  return ms;
}

/** `host:port,host:port`, IPv6 hosts in brackets; a missing port is `defaultPort`. */
export function parseHostList(
  defaultPort: number,
): (text: string) => HostPort[] {
  return (text) => {
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (items.length === 0) {
      throw new InvalidArgumentError('expected host:port[,host:port...].');
    }
    return items.map((item) => {
      const m = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(item);
      if (!m) {
        throw new InvalidArgumentError(
          `${JSON.stringify(item)} is not host:port.`,
        );
      }
      return {
        host: m[1] ?? m[2],
        port: m[3] === undefined ? defaultPort : port(m[3]),
      };
    });
  };
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
