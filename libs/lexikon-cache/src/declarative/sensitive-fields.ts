/** How deep the guard looks into a value: the root's fields are at depth 1. */
export const SENSITIVE_SCAN_MAX_DEPTH = 12;
/** How many objects, arrays, Maps and Sets the guard looks into per value. */
export const SENSITIVE_SCAN_MAX_NODES = 5_000;
/** Field names whose verdict is remembered (they repeat across a list's items). */
const MAX_REMEMBERED_NAMES = 10_000;

/**
 * The words of a field name, lower-cased: split at every character that is
 * not a letter or digit and at camelCase humps (`apiKeyHash` → api, key,
 * hash; `APIKey` → api, key; `refresh_token` → refresh, token).
 */
export function fieldWords(name: string): string[] {
  return name
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** A field's word stands for an entry's word: the same, or its plural with an `s`. */
function sameWord(word: string, entry: string): boolean {
  return (
    word === entry ||
    (word.length === entry.length + 1 &&
      word.endsWith('s') &&
      word.startsWith(entry))
  );
}

function containsRun(
  words: readonly string[],
  run: readonly string[],
): boolean {
  for (let i = 0; i + run.length <= words.length; i++) {
    let j = 0;
    while (j < run.length && sameWord(words[i + j], run[j])) j++;
    if (j === run.length) return true;
  }
  return false;
}

/** Path segments that may be input (a dictionary's keys) are not printed. */
function segment(name: string): string {
  return /^[A-Za-z_$][\w$-]{0,63}$/.test(name) ? name : '*';
}

function join(path: string, name: string): string {
  return path ? `${path}.${segment(name)}` : segment(name);
}

function isOpaque(value: object): boolean {
  return (
    value instanceof Date ||
    value instanceof RegExp ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value)
  );
}

interface Budget {
  left: number;
}

/**
 * Finds fields whose name looks secret in a value about to be cached. A
 * string entry matches a field name that contains the entry's words in a
 * row, or one word that is all of them, each word also in its plural with
 * an `s` (`apiKey` matches `apiKey`, `api_key`, `X-Api-Key`, `apiKeyHash`,
 * `apiKeys` and `apikey`; `token` matches `accessToken` and `tokens` but not
 * `tokenizer`); a RegExp is tested against the name as it is. The walk goes through plain and class objects (their own
 * enumerable fields, or what their `toJSON()` gives, as the encoders do),
 * arrays, Sets and Maps (a string key counts as a field name), up to
 * `SENSITIVE_SCAN_MAX_DEPTH` levels and `SENSITIVE_SCAN_MAX_NODES`
 * containers: what lies beyond is not looked at. A field whose value is
 * `undefined` or a function is not stored, so it does not count.
 */
export class SensitiveFieldMatcher {
  private readonly runs: readonly (readonly string[])[];
  private readonly joined: ReadonlySet<string>;
  private readonly patterns: readonly RegExp[];
  private readonly verdicts = new Map<string, boolean>();

  constructor(fields: readonly (string | RegExp)[]) {
    const strings = fields.filter((f): f is string => typeof f === 'string');
    this.runs = strings.map(fieldWords).filter((w) => w.length > 0);
    this.joined = new Set(this.runs.map((w) => w.join('')));
    // without g/y, test() keeps no state between names
    this.patterns = fields
      .filter((f): f is RegExp => f instanceof RegExp)
      .map((r) => new RegExp(r.source, r.flags.replace(/[gy]/g, '')));
  }

  /** Whether a field of this name looks secret. */
  matches(name: string): boolean {
    let verdict = this.verdicts.get(name);
    if (verdict === undefined) {
      verdict = this.judge(name);
      if (this.verdicts.size >= MAX_REMEMBERED_NAMES) this.verdicts.clear();
      this.verdicts.set(name, verdict);
    }
    return verdict;
  }

  private judge(name: string): boolean {
    if (this.patterns.some((p) => p.test(name))) return true;
    const words = fieldWords(name);
    return (
      words.some(
        (w) =>
          this.joined.has(w) ||
          (w.endsWith('s') && this.joined.has(w.slice(0, -1))),
      ) || this.runs.some((run) => containsRun(words, run))
    );
  }

  /** The path of the first field that looks secret (`items[].user.passwordHash`), or undefined. */
  find(value: unknown): string | undefined {
    return this.walk(value, '', 0, { left: SENSITIVE_SCAN_MAX_NODES });
  }

  private walk(
    value: unknown,
    path: string,
    depth: number,
    budget: Budget,
  ): string | undefined {
    if (value === null || typeof value !== 'object') return undefined;
    if (depth >= SENSITIVE_SCAN_MAX_DEPTH || budget.left <= 0) return undefined;
    if (isOpaque(value)) return undefined;
    budget.left--;
    if (Array.isArray(value) || value instanceof Set) {
      for (const item of value as Iterable<unknown>) {
        const found = this.walk(item, `${path}[]`, depth + 1, budget);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (value instanceof Map) return this.walkMap(value, path, depth, budget);
    const toJson = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJson === 'function') {
      let json: unknown;
      try {
        json = (toJson as () => unknown).call(value);
      } catch {
        return undefined; // the encoder fails on it too: nothing is stored
      }
      if (json !== value) return this.walk(json, path, depth + 1, budget);
    }
    for (const name of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[name];
      if (child === undefined || typeof child === 'function') continue;
      const at = join(path, name);
      if (this.matches(name)) return at;
      const found = this.walk(child, at, depth + 1, budget);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private walkMap(
    map: Map<unknown, unknown>,
    path: string,
    depth: number,
    budget: Budget,
  ): string | undefined {
    for (const [key, child] of map) {
      if (child === undefined || typeof child === 'function') continue;
      let found: string | undefined;
      if (typeof key === 'string') {
        const at = join(path, key);
        if (this.matches(key)) return at;
        found = this.walk(child, at, depth + 1, budget);
      } else {
        found =
          this.walk(key, `${path}[]`, depth + 1, budget) ??
          this.walk(child, `${path}[]`, depth + 1, budget);
      }
      if (found !== undefined) return found;
    }
    return undefined;
  }
}
