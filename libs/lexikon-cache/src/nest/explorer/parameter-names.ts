/**
 * The declared parameter names of a function, from its source. Destructured
 * or rest parameters yield `undefined` at their position: they cannot be
 * referenced by name.
 */
export function parameterNames(
  fn: (...args: never[]) => unknown,
): (string | undefined)[] {
  const source = Function.prototype.toString
    .call(fn)
    .replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '');
  const open = source.indexOf('(');
  if (open < 0) return [];
  let depth = 0;
  let current = '';
  const params: string[] = [];
  for (let i = open + 1; i < source.length; i++) {
    const ch = source[i];
    if (depth === 0 && ch === ')') {
      params.push(current);
      break;
    }
    if ('([{'.includes(ch)) depth++;
    if (')]}'.includes(ch)) depth--;
    if (depth === 0 && ch === ',') {
      params.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  return params
    .map((p) => p.trim())
    .filter((p, i, all) => p.length > 0 || i < all.length - 1)
    .map((p) => /^([A-Za-z_$][\w$]*)\s*(=[\s\S]*)?$/.exec(p)?.[1]);
}
