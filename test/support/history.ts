/**
 * One observed or performed operation on a versioned value in a history:
 * a write that set version `value`, or a read that saw it. Times are
 * `performance.now()` of the test process.
 */
export interface HistoryOp {
  readonly kind: 'read' | 'write';
  /** The value's name (a key, a row). */
  readonly id: string;
  readonly start: number;
  end: number;
  value: number;
  /** Where it happened (a route, an instance), for the failure message. */
  via?: string;
}

/**
 * The stale reads of a history in which each value only grows: a read is
 * stale when a write of a newer version had completed before the read
 * started. Writes whose outcome is unknown are left out by the caller (they
 * can only make reads look newer).
 */
export function staleReads(ops: readonly HistoryOp[]): string[] {
  const floors = new Map<
    string,
    { end: number; value: number; via?: string }[]
  >();
  for (const w of ops) {
    if (w.kind !== 'write') continue;
    const list = floors.get(w.id) ?? [];
    list.push({ end: w.end, value: w.value, via: w.via });
    floors.set(w.id, list);
  }
  const out: string[] = [];
  for (const r of ops) {
    if (r.kind !== 'read') continue;
    let floor: { end: number; value: number; via?: string } | undefined;
    for (const w of floors.get(r.id) ?? []) {
      if (w.end < r.start && w.value > (floor?.value ?? 0)) floor = w;
    }
    if (floor && r.value < floor.value) {
      const where = r.via
        ? ` (read ${r.via} at ${r.start.toFixed(1)}; written ${floor.via ?? ''} by ${floor.end.toFixed(1)})`
        : '';
      out.push(
        `read ${r.id} = ${r.value} after ${floor.value} was written${where}`,
      );
    }
  }
  return out;
}
