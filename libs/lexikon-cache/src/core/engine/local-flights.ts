interface Slot {
  running: Promise<unknown>;
  next: Promise<Shared<unknown>> | undefined;
}

interface Shared<T> {
  readonly value: T;
  readonly shareable: boolean;
}

function settled(p: Promise<unknown>): Promise<void> {
  return p.then(
    () => undefined,
    () => undefined,
  );
}

/**
 * Single flight without the store (breaker open, invalidations pending): at
 * most one load per key runs at a time in this process. A caller that
 * arrives while one runs never takes its result, which may predate a write
 * that completed before the caller came; it waits for it to end and shares
 * the next load, started after every caller sharing it arrived. A shared
 * result the policy would not store is not handed over: that caller loads
 * for itself.
 */
export class LocalFlights {
  private readonly slots = new Map<string, Slot>();

  run<T>(
    key: string,
    load: () => Promise<T>,
    shareable: (value: T) => boolean,
  ): Promise<T> {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      const fresh: Slot = { running: Promise.resolve(), next: undefined };
      this.slots.set(key, fresh);
      return this.start(key, fresh, load);
    }
    slot.next ??= settled(slot.running).then(async () => {
      slot.next = undefined;
      const value = await this.start(key, slot, load);
      return { value, shareable: shareable(value) };
    });
    return (slot.next as Promise<Shared<T>>).then((r) =>
      r.shareable ? r.value : load(),
    );
  }

  private start<T>(
    key: string,
    slot: Slot,
    load: () => Promise<T>,
  ): Promise<T> {
    const p = load();
    slot.running = p;
    const done = () => {
      if (slot.running === p && slot.next === undefined) {
        if (this.slots.get(key) === slot) this.slots.delete(key);
      }
    };
    p.then(done, done);
    return p;
  }

  get size(): number {
    return this.slots.size;
  }
}
