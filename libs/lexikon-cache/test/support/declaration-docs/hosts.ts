import ts from 'typescript';

export function formatDiagnostic(d: ts.Diagnostic): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (!d.file || d.start === undefined) return text;
  const { line } = d.file.getLineAndCharacterOfPosition(d.start);
  return `${d.file.fileName}:${line + 1}: ${text}`;
}

/** Parsed declarations of installed packages and of TypeScript's own libs, shared by every program. */
const librarySources = new Map<string, ts.SourceFile>();

/** A compiler host that parses each file under node_modules once per test file. */
export function cachingHost(options: ts.CompilerOptions): ts.CompilerHost {
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
export function overlayHost(
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
export function diagnosticsOf(
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
