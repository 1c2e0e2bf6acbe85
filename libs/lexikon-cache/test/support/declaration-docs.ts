import { dirname, relative, resolve, sep } from 'node:path';
import ts from 'typescript';
import {
  formatDiagnostic,
  cachingHost,
  overlayHost,
  diagnosticsOf,
} from './declaration-docs/hosts.js';
import { declarationsOf, jsDocsOf } from './declaration-docs/declarations.js';

/**
 * Builds a project's declarations in memory (never touching its outDir) and
 * reads them back as a consumer's compiler would: which names the entry
 * points export, whether each carries a JSDoc with an `@example`, and
 * whether anything marked `@internal` in the sources survived.
 */
export interface DeclarationReport {
  /** Every name an entry exports, as `entry: Name`. */
  readonly exported: readonly string[];
  /** Exports whose declaration has no JSDoc text. */
  readonly undocumented: readonly string[];
  /** Exports with a JSDoc but no non-empty `@example`. */
  readonly withoutExample: readonly string[];
  /** `@internal` declarations of the sources still present in the `.d.ts`. */
  readonly internalLeaks: readonly string[];
  /** Emitted `.d.ts` files that still mention `@internal`. */
  readonly internalTagsLeft: readonly string[];
  /** Type errors in the emitted declarations themselves (e.g. a reference to a stripped type). */
  readonly declarationErrors: readonly string[];
}

/**
 * Reads the declarations `tsconfig` would emit for the given entry sources
 * (paths relative to the tsconfig's folder, e.g. `src/index.ts`).
 */
export function checkDeclarations(
  tsconfig: string,
  entries: readonly string[],
): DeclarationReport {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(formatDiagnostic(d));
      },
    },
  );
  if (!parsed) throw new Error(`cannot read ${tsconfig}`);
  if (parsed.errors.length > 0) {
    throw new Error(parsed.errors.map(formatDiagnostic).join('\n'));
  }
  const { rootDir, outDir } = parsed.options;
  if (!rootDir || !outDir) {
    throw new Error(`${tsconfig} must set rootDir and outDir`);
  }
  const toDts = (source: string) =>
    resolve(outDir, relative(rootDir, source)).replace(/\.ts$/, '.d.ts');

  // 1. Emit the declarations into memory, exactly as the build would.
  const buildOptions: ts.CompilerOptions = {
    ...parsed.options,
    noEmit: false,
    emitDeclarationOnly: true,
    declarationMap: false,
    sourceMap: false,
    inlineSourceMap: false,
    inlineSources: false,
    incremental: false,
    // the emitter checks every file it reads; installed declarations are the consumer's part (step 2)
    skipLibCheck: true,
  };
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: buildOptions,
    host: cachingHost(buildOptions),
  });
  const buildErrors = diagnosticsOf(program, (file) =>
    parsed.fileNames.includes(file),
  );
  if (buildErrors.length > 0) {
    throw new Error(buildErrors.map(formatDiagnostic).join('\n'));
  }
  const emitted = new Map<string, string>();
  program.emit(undefined, (name, text) => {
    if (name.endsWith('.d.ts')) emitted.set(resolve(name), text);
  });

  // 2. Read them back as a consumer does: strict, declarations checked.
  const consumerOptions: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: parsed.options.types,
    typeRoots: parsed.options.typeRoots,
  };
  const entryFiles = entries.map((entry) =>
    toDts(resolve(dirname(tsconfig), entry)),
  );
  const consumer = ts.createProgram({
    rootNames: entryFiles,
    options: consumerOptions,
    host: overlayHost(consumerOptions, resolve(outDir), emitted),
  });
  const declarationErrors = diagnosticsOf(consumer, (file) =>
    emitted.has(resolve(file)),
  ).map(formatDiagnostic);

  // 3. Every export: documented, with an example.
  const checker = consumer.getTypeChecker();
  const exported: string[] = [];
  const undocumented: string[] = [];
  const withoutExample: string[] = [];
  for (const [i, file] of entryFiles.entries()) {
    const source = consumer.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`${file} was not emitted`);
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const label = `${entries[i]}: ${symbol.name}`;
      exported.push(label);
      const target =
        symbol.flags & ts.SymbolFlags.Alias
          ? checker.getAliasedSymbol(symbol)
          : symbol;
      const docs = (target.declarations ?? []).flatMap(jsDocsOf);
      const described = docs.some(
        (doc) => (ts.getTextOfJSDocComment(doc.comment) ?? '').trim() !== '',
      );
      const example = docs.some((doc) =>
        (doc.tags ?? []).some(
          (tag) =>
            tag.tagName.text === 'example' &&
            (ts.getTextOfJSDocComment(tag.comment) ?? '').trim() !== '',
        ),
      );
      if (!described) undocumented.push(label);
      else if (!example) withoutExample.push(label);
    }
  }

  // 4. Nothing marked @internal reaches the declarations.
  const internalLeaks: string[] = [];
  for (const source of program.getSourceFiles()) {
    if (!parsed.fileNames.includes(source.fileName)) continue;
    const internal = declarationsOf(source).filter((d) => d.internal);
    if (internal.length === 0) continue;
    const dtsPath = toDts(source.fileName);
    const text = emitted.get(dtsPath);
    if (text === undefined) continue;
    const dts = ts.createSourceFile(
      dtsPath,
      text,
      ts.ScriptTarget.ES2023,
      true,
    );
    const present = new Set(declarationsOf(dts).map((d) => d.path));
    for (const { path } of internal) {
      if (present.has(path)) {
        internalLeaks.push(`${relative(rootDir, source.fileName)}: ${path}`);
      }
    }
  }
  const internalTagsLeft = [...emitted]
    .filter(([, text]) => /@internal\b/.test(text))
    .map(([path]) => relative(outDir, path).split(sep).join('/'));

  return {
    exported,
    undocumented,
    withoutExample,
    internalLeaks,
    internalTagsLeft,
    declarationErrors,
  };
}
