import { keyNamespace } from '../core/keys/cache-keys.js';
import {
  checkVersion,
  DEFAULT_VERSION,
  type ResolvedEntryOptions,
} from '../core/options/resolve-entry-options.js';

/**
 * Marks a version's copy of an entry: `<key>:~v:<n>`, before any principal
 * suffix. Like a principal's copy it carries the tag `~key:<key>`, so that
 * invalidating the key reaches every version, and it starts with the key,
 * so that a pattern reaching the key reaches its copies too.
 */
export const VERSION_SEGMENT = ':~v:';

/** Renders the version suffix of a rendered key: `''` at the default version. */
export type VersionSuffix = (key: string) => string;

function suffixOf(version: number): string {
  return version === DEFAULT_VERSION ? '' : `${VERSION_SEGMENT}${version}`;
}

/** The namespace of a key template when its first segment is literal text. */
function literalNamespace(source: string): string | undefined {
  const colon = source.indexOf(':');
  const brace = source.indexOf('{');
  if (colon < 0) return brace < 0 ? source : undefined;
  return colon > 0 && (brace < 0 || brace > colon)
    ? source.slice(0, colon)
    : undefined;
}

/**
 * Which version a key's entries have in this application: the one its
 * decorator or call names, else its namespace's (`versions`), else the
 * module's (`version`). Resolved once per decorator when the key's
 * namespace is literal, so that a hit pays for none of it.
 */
export class EntryVersions {
  private readonly fallback: string;
  private readonly byNamespace: ReadonlyMap<string, string>;

  constructor(options: ResolvedEntryOptions) {
    this.fallback = suffixOf(options.version);
    this.byNamespace = new Map(
      [...options.versions].map(([ns, v]) => [ns, suffixOf(v)]),
    );
  }

  /** The suffix of `key`'s copy; an explicit `version` is checked, naming the option. */
  suffix(key: string, version?: number): string {
    if (version !== undefined)
      return suffixOf(checkVersion('version', version));
    if (this.byNamespace.size === 0) return this.fallback;
    return this.byNamespace.get(keyNamespace(key)) ?? this.fallback;
  }

  /** A decorator's suffix function, given its (checked) version and its key template's source. */
  compile(
    version: number | undefined,
    keySource: string | undefined,
  ): VersionSuffix {
    if (version !== undefined || this.byNamespace.size === 0) {
      const fixed = version === undefined ? this.fallback : suffixOf(version);
      return () => fixed;
    }
    const ns =
      keySource === undefined ? undefined : literalNamespace(keySource);
    if (ns !== undefined) {
      const fixed = this.byNamespace.get(ns) ?? this.fallback;
      return () => fixed;
    }
    return (key) => this.byNamespace.get(keyNamespace(key)) ?? this.fallback;
  }
}
