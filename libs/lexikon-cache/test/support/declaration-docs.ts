import { dirname, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

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

function formatDiagnostic(d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return text;
  const { line } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName}:${line + 1}: ${text}`;
}

function hasInternalTag(node: ts.Node): boolean {
  return ts.getJSDocTags(node).some((tag) => tag.tagName.text === 'internal');
}

function nameOf(node: ts.Node): string | undefined {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const name = (node as { name?: ts.Node }).name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

const NAMED_KINDS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.ClassDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.EnumDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.VariableDeclaration,
  ts.SyntaxKind.PropertyDeclaration,
  ts.SyntaxKind.PropertySignature,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.MethodSignature,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.EnumMember,
]);

/**
 * Every named declaration of a file as a dotted path (`CacheBatch.ops`), and
 * whether it (or, for a variable, its statement) is marked `@internal`; the
 * members of a marked declaration are not marked again.
 */
function declarationsOf(
  file: ts.SourceFile,
): { path: string; internal: boolean }[] {
  const found: { path: string; internal: boolean }[] = [];
  const visit = (
    node: ts.Node,
    scope: string[],
    statementMarked: boolean,
    insideMarked: boolean,
  ): void => {
    let inner = scope;
    let marked = statementMarked;
    let inside = insideMarked;
    if (ts.isVariableStatement(node) && hasInternalTag(node)) marked = true;
    if (NAMED_KINDS.has(node.kind)) {
      const name = nameOf(node);
      if (name !== undefined) {
        const internal = !inside && (marked || hasInternalTag(node));
        inner = [...scope, name];
        found.push({ path: inner.join('.'), internal });
        inside = inside || internal;
        marked = false;
      }
    }
    ts.forEachChild(node, (child) => visit(child, inner, marked, inside));
  };
  visit(file, [], false, false);
  return found;
}

function jsDocsOf(declaration: ts.Declaration): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(declaration).filter(ts.isJSDoc);
}

/** Parsed declarations of installed packages and of TypeScript's own libs, shared by every program. */
const librarySources = new Map<string, ts.SourceFile>();

/** A compiler host that parses each file under node_modules once per test file. */
function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (path, languageVersion, onError, shouldCreate) => {
    if (!path.includes('/node_modules/')) {
      return getSourceFile(path, languageVersion, onError, shouldCreate);
    }
    const key = `${path}\0${JSON.stringify(languageVersion)}`;
    let source = librarySources.get(key);
    if (!source) {
      source = getSourceFile(path, languageVersion, onError, shouldCreate);
      if (source) librarySources.set(key, source);
    }
    return source;
  };
  return host;
}

/** In-memory files over the real file system; the outDir itself is only what was emitted. */
function overlayHost(
  options: ts.CompilerOptions,
  outDir: string,
  emitted: ReadonlyMap<string, string>,
): ts.CompilerHost {
  const host = cachingHost(options);
  const inOut = (path: string) =>
    path === outDir || path.startsWith(outDir + '/');
  const fileExists = host.fileExists.bind(host);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.fileExists = (path) =>
    inOut(path) ? emitted.has(path) : fileExists(path);
  host.readFile = (path) => (inOut(path) ? emitted.get(path) : readFile(path));
  host.directoryExists = (path) =>
    inOut(path)
      ? [...emitted.keys()].some((file) => file.startsWith(path + '/'))
      : ts.sys.directoryExists(path);
  host.getSourceFile = (path, languageVersion, onError) => {
    if (!inOut(path)) return getSourceFile(path, languageVersion, onError);
    const text = emitted.get(path);
    return text === undefined
      ? undefined
      : ts.createSourceFile(path, text, languageVersion, true);
  };
  return host;
}

/**
 * Option, global, syntactic and semantic diagnostics of some files of a
 * program: checking only them (not every library they use) is what keeps
 * this fast.
 */
function diagnosticsOf(
  program: ts.Program,
  include: (fileName: string) => boolean,
): ts.Diagnostic[] {
  const files = program
    .getSourceFiles()
    .filter((file) => include(file.fileName));
  return [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...files.flatMap((file) => [
      ...program.getSyntacticDiagnostics(file),
      ...program.getSemanticDiagnostics(file),
    ]),
  ];
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
