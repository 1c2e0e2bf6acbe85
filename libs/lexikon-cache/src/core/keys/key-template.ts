import { escapeKeyPart } from './cache-keys.js';
import { canonicalize } from './canonical-json.js';

/** Reads the root of a `{root.path}` reference (a param, an argument, the result...). */
export type RootResolver = (root: string) => unknown;

interface Reference {
  readonly root: string;
  readonly path: readonly string[];
  /** Used when the value is absent: `{page=1}`. */
  readonly fallback?: string;
}

type Part = string | Reference;

/** Why a reference cannot resolve, or undefined when it can. */
export type RootCheck = (root: string) => string | undefined;

const REFERENCE = /\{([^{}]*)\}/g;
const SEGMENT = /^[A-Za-z_$][\w$-]*$|^\d+$/;

/**
 * A key, tag or pattern template compiled once: literal text with `{...}`
 * references, optionally with a default for an absent value (`{page=1}`). Rendering escapes every value, so input such as `*`, `?`,
 * `[`, `:` or a newline can never match or reach another entry.
 */
export class KeyTemplate {
  private readonly parts: readonly Part[];
  readonly roots: ReadonlySet<string>;

  private constructor(
    readonly source: string,
    parts: Part[],
  ) {
    this.parts = parts;
    this.roots = new Set(
      parts
        .filter((p): p is Reference => typeof p !== 'string')
        .map((p) => p.root),
    );
  }

  /** Throws a message (no class) so that callers can name the method. */
  static parse(source: string): KeyTemplate {
    if (typeof source !== 'string' || source.length === 0) {
      throw new Error('must be a non-empty string');
    }
    const parts: Part[] = [];
    let last = 0;
    for (const match of source.matchAll(REFERENCE)) {
      if (match.index > last) parts.push(source.slice(last, match.index));
      const eq = match[1].indexOf('=');
      const ref = (eq < 0 ? match[1] : match[1].slice(0, eq)).trim();
      const path = ref.split('.');
      if (path.some((segment) => !SEGMENT.test(segment))) {
        throw new Error(`has an invalid reference {${match[1]}}`);
      }
      parts.push({
        root: path[0],
        path: path.slice(1),
        fallback: eq < 0 ? undefined : escapeKeyPart(match[1].slice(eq + 1)),
      });
      last = match.index + match[0].length;
    }
    const rest = source.slice(last);
    if (
      /[{}]/.test(rest) ||
      parts.some((p) => typeof p === 'string' && /[{}]/.test(p))
    ) {
      throw new Error('has an unbalanced brace');
    }
    if (rest) parts.push(rest);
    return new KeyTemplate(source, parts);
  }

  /** Throws a message naming the first reference that cannot resolve. */
  check(rootCheck: RootCheck): void {
    for (const part of this.parts) {
      if (typeof part === 'string') continue;
      const reason = rootCheck(part.root);
      if (reason)
        throw new Error(
          `references {${[part.root, ...part.path].join('.')}}, ${reason}`,
        );
    }
  }

  /** The `{root.path}` references, in order. */
  get references(): readonly { root: string; path: readonly string[] }[] {
    return this.parts.filter((p): p is Reference => typeof p !== 'string');
  }

  /** The rendered text, or undefined when a referenced value is absent. */
  render(resolve: RootResolver): string | undefined {
    let out = '';
    for (const part of this.parts) {
      if (typeof part === 'string') {
        out += part;
        continue;
      }
      let value = resolve(part.root);
      for (const segment of part.path) {
        if (value === null || value === undefined) break;
        value = (value as Record<string, unknown>)[segment];
      }
      if (value === undefined || value === '') {
        if (part.fallback === undefined) {
          if (value === undefined) return undefined;
        } else {
          out += part.fallback;
          continue;
        }
      }
      out += formatKeyValue(value);
    }
    return out;
  }
}

/**
 * The text of one interpolated value: a string as itself (escaped), any
 * other type behind a `!` marker that no escaped string contains, so `1`,
 * `"1"`, `null`, `"null"`, `["a","b"]` and `'["a","b"]'` all differ.
 */
export function formatKeyValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return escapeKeyPart(value);
    case 'number':
      return Object.is(value, -0) ? '!n-0' : `!n${String(value)}`;
    case 'bigint':
      return `!b${String(value)}`;
    case 'boolean':
      return value ? '!t' : '!f';
    case 'undefined':
      return '!u';
  }
  if (value === null) return '!z';
  if (value instanceof Date) return `!d${value.getTime()}`;
  return `!j${escapeKeyPart(canonicalize(value))}`;
}
