/** Distinct namespaces labelled by name; the rest share `OTHER_NAMESPACE`. */
export const MAX_NAMESPACES = 100;
export const OTHER_NAMESPACE = 'other';

/**
 * The namespace of a key, for metrics: its first segment after the prefix
 * (`user` for `lexikon:user:42`), so that they never carry user data. Keys
 * come from callers, so the number of namespaces is bounded: the first
 * `max` seen keep their name, later ones are `other`. Each namespace has one
 * slot (made by `make`, from its label), found with one map lookup.
 */
export class NamespaceLabels<S> {
  private readonly known = new Map<string, S>();
  private other: S | undefined;

  constructor(
    private readonly prefix: string,
    private readonly make: (label: string) => S,
    private readonly max = MAX_NAMESPACES,
  ) {}

  of(key: string): S {
    const start = key.startsWith(this.prefix) ? this.prefix.length : 0;
    const colon = key.indexOf(':', start);
    const name = colon > start ? key.slice(start, colon) : key.slice(start);
    const slot = this.known.get(name);
    if (slot !== undefined) return slot;
    if (this.known.size >= this.max) {
      return (this.other ??= this.make(OTHER_NAMESPACE));
    }
    const made = this.make(name);
    this.known.set(name, made);
    return made;
  }
}
