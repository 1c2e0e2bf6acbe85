import { keyNamespace } from '../keys/cache-keys.js';

/** Keys whose own loader time is kept; past this the least recently loaded goes. */
const MAX_KEYS = 1_000;
const MAX_NAMESPACES = 200;
/** Weight of a new measurement in the moving average. */
const WEIGHT = 0.3;

function put(
  times: Map<string, number>,
  name: string,
  ms: number,
  max: number,
): void {
  const old = times.get(name);
  // re-inserted, so that the map's order is by last load
  times.delete(name);
  times.set(name, old === undefined ? ms : old + WEIGHT * (ms - old));
  if (times.size > max) times.delete(times.keys().next().value as string);
}

/**
 * How long loaders took in this process (ms, a moving average), for early
 * refresh: by key, for the keys loaded last, and by key namespace, which
 * stands in for a key this process has not loaded (its loader is the same
 * code, most often). Both maps are bounded, so a key space of any size
 * costs a fixed amount of memory.
 */
export class LoadTimes {
  private readonly byKey = new Map<string, number>();
  private readonly byNamespace = new Map<string, number>();

  constructor(private readonly keyPrefix: string) {}

  record(key: string, ms: number): void {
    put(this.byKey, key, ms, MAX_KEYS);
    put(this.byNamespace, this.namespace(key), ms, MAX_NAMESPACES);
  }

  /** The loader time to expect for `key`; undefined when nothing is known. */
  estimate(key: string): number | undefined {
    return this.byKey.get(key) ?? this.byNamespace.get(this.namespace(key));
  }

  private namespace(key: string): string {
    return keyNamespace(key.slice(this.keyPrefix.length));
  }
}
