import ts from 'typescript';

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
export function declarationsOf(
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

export function jsDocsOf(declaration: ts.Declaration): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(declaration).filter(ts.isJSDoc);
}
