/**
 * Node module-resolution hook for the compiled bench: resolves the monorepo
 * path alias `@lexikon/cache` (tsconfig `paths`, which tsc does not rewrite)
 * to the library's compiled entry beside this build. Registered by
 * register-alias.ts through `node --import`.
 */
const ALIASES: Record<string, string> = {
  '@lexikon/cache': new URL(
    '../../libs/lexikon-cache/src/index.js',
    import.meta.url,
  ).href,
  '@lexikon/cache/health': new URL(
    '../../libs/lexikon-cache/src/health/index.js',
    import.meta.url,
  ).href,
};

interface ResolveResult {
  url: string;
  shortCircuit?: boolean;
  format?: string | null;
}

type NextResolve = (
  specifier: string,
  context: unknown,
) => ResolveResult | Promise<ResolveResult>;

export function resolve(
  specifier: string,
  context: unknown,
  nextResolve: NextResolve,
): ResolveResult | Promise<ResolveResult> {
  const target = ALIASES[specifier];
  if (target !== undefined) return nextResolve(target, context);
  return nextResolve(specifier, context);
}
