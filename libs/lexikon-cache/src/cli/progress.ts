/** Where a progress bar may be drawn: a terminal (`isTTY`), else nothing is drawn. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

export interface Progress {
  /** Redraws (at most every `intervalMs`) with `fraction` done, 0 to 1. */
  update(fraction: number, label: string): void;
  /** Clears the bar. */
  done(): void;
}

const NONE: Progress = { update: () => undefined, done: () => undefined };

/** `[#####.....]  50%` for a fraction; `width` counts the bar's cells. */
export function renderBar(fraction: number, width: number): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * width);
  const pct = `${Math.floor(f * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}`;
}

/**
 * A one-line progress bar on `stream`, drawn only when it is a terminal and
 * `enabled` (so never in `--json` output or when stderr is redirected).
 */
export function createProgress(
  stream: ProgressStream,
  enabled: boolean,
  intervalMs = 100,
): Progress {
  if (!enabled || !stream.isTTY) return NONE;
  let last = 0;
  let drawn = false;
  return {
    update(fraction, label) {
      const now = Date.now();
      if (drawn && now - last < intervalMs) return;
      last = now;
      drawn = true;
      const columns = stream.columns || 80;
      const line = `${renderBar(fraction, 24)}  ${label}`;
      stream.write(`\r${line.slice(0, Math.max(10, columns - 1))}\x1b[K`);
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
