import { readFileSync } from 'node:fs';

export function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(
      readFileSync('/proc/cpuinfo', 'utf8'),
    );
    return m ? m[1].trim() : 'unknown CPU';
  } catch {
    return 'unknown CPU';
  }
}
