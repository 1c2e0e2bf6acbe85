/**
 * A reader for the subset of YAML that deploy/k8s/ uses, so that the
 * manifest test needs no YAML dependency:
 *
 * - documents separated by `---`; `#` comments (whole line, or after a space);
 * - block mappings (`key: value`, `key:` + an indented block) and block
 *   sequences (`- item`, `- key: value` + more keys, a sequence under a key
 *   at the key's own indentation);
 * - scalars: plain, 'single' or "double" quoted, integers, decimals,
 *   true/false, null/~, and the empty `{}` and `[]`.
 *
 * Anything else (anchors, tags, block scalars `|` `>`, non-empty flow
 * collections, tabs, multi-line plain scalars) is rejected with the line
 * number, never read wrongly.
 */
export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

interface Line {
  /** 1-based, for messages. */
  number: number;
  indent: number;
  text: string;
}

export class YamlSubsetError extends Error {
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = new.target.name;
  }
}

/** Index of a ` #` comment outside quotes, or -1. */
function commentStart(text: string): number {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      } else if (c === '\\' && quote === '"') {
        i++;
      }
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s:\-[{,]/.test(text[i - 1])) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      return i;
    }
  }
  return -1;
}

function toLines(source: string, firstLine: number): Line[] {
  const lines: Line[] = [];
  source.split('\n').forEach((raw, index) => {
    const number = firstLine + index;
    const withoutCr = raw.replace(/\r$/, '');
    const indentText = /^[ \t]*/.exec(withoutCr)?.[0] ?? '';
    if (indentText.includes('\t')) {
      throw new YamlSubsetError('tabs are not allowed for indentation', number);
    }
    const cut = commentStart(withoutCr);
    const text = (cut < 0 ? withoutCr : withoutCr.slice(0, cut)).trimEnd();
    if (text.trim() === '') return;
    lines.push({ number, indent: indentText.length, text: text.trimStart() });
  });
  return lines;
}

const DOUBLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '"': '"',
  '\\': '\\',
  '/': '/',
  '0': '\0',
};

function parseDoubleQuoted(body: string, line: number): string {
  return body.replace(/\\(.)/g, (_match, c: string) => {
    const replacement = DOUBLE_ESCAPES[c];
    if (replacement === undefined) {
      throw new YamlSubsetError(`unsupported escape \\${c}`, line);
    }
    return replacement;
  });
}

/** A scalar written on one line. */
export function parseScalar(text: string, line = 0): YamlValue {
  const value = text.trim();
  if (value.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(value)) {
      throw new YamlSubsetError(
        `malformed double-quoted scalar: ${value}`,
        line,
      );
    }
    return parseDoubleQuoted(value.slice(1, -1), line);
  }
  if (value.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(value)) {
      throw new YamlSubsetError(
        `malformed single-quoted scalar: ${value}`,
        line,
      );
    }
    return value.slice(1, -1).replace(/''/g, "'");
  }
  if (value === '{}') return {};
  if (value === '[]') return [];
  if (
    /^[&*!|>{[]/.test(value) ||
    value.startsWith('@') ||
    value.startsWith('`')
  ) {
    throw new YamlSubsetError(`unsupported YAML: ${value}`, line);
  }
  if (value === 'null' || value === '~' || value === '') return null;
  if (value === 'true') return true;
  if (value === 'false') return false;
  if (/^[-+]?\d+$/.test(value)) return Number(value);
  if (/^[-+]?(\d+\.\d*|\.\d+)([eE][-+]?\d+)?$/.test(value))
    return Number(value);
  if (/:\s|\s#/.test(value) || value.endsWith(':')) {
    throw new YamlSubsetError(`ambiguous plain scalar: ${value}`, line);
  }
  return value;
}

/** A mapping key (plain: letters, digits, `_ . / -`; or quoted), then `:` and a space or the end. */
const KEY =
  /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[A-Za-z0-9_][\w./-]*)\s*:(?:\s+|$)/;

/** `[key, rest]` when the text is a mapping entry. */
function splitEntry(text: string): [string, string] | undefined {
  const match = KEY.exec(text);
  if (!match) return undefined;
  const rawKey = match[1];
  const key = rawKey.startsWith('"')
    ? parseDoubleQuoted(rawKey.slice(1, -1), 0)
    : rawKey.startsWith("'")
      ? rawKey.slice(1, -1).replace(/''/g, "'")
      : rawKey;
  return [key, text.slice(match[0].length)];
}

function isSequenceItem(text: string): boolean {
  return text === '-' || text.startsWith('- ');
}

class Parser {
  private index = 0;

  constructor(private readonly lines: Line[]) {}

  parseDocument(): YamlValue {
    if (this.lines.length === 0) return null;
    const first = this.lines[0];
    const value =
      first.indent === 0 &&
      !isSequenceItem(first.text) &&
      !splitEntry(first.text)
        ? this.single(first)
        : this.parseBlock(first.indent);
    const rest = this.lines[this.index];
    if (rest) {
      throw new YamlSubsetError('unexpected indentation', rest.number);
    }
    return value;
  }

  private single(line: Line): YamlValue {
    this.index++;
    return parseScalar(line.text, line.number);
  }

  private get current(): Line | undefined {
    return this.lines[this.index];
  }

  private parseBlock(indent: number): YamlValue {
    const line = this.current;
    if (!line) return null;
    return isSequenceItem(line.text)
      ? this.parseSequence(indent)
      : this.parseMapping(indent);
  }

  private parseMapping(indent: number): { [key: string]: YamlValue } {
    const mapping: { [key: string]: YamlValue } = {};
    for (
      let line = this.current;
      line && line.indent === indent;
      line = this.current
    ) {
      if (isSequenceItem(line.text)) break;
      const entry = splitEntry(line.text);
      if (!entry) {
        throw new YamlSubsetError(
          `expected "key: value", got: ${line.text}`,
          line.number,
        );
      }
      const [key, rest] = entry;
      if (Object.hasOwn(mapping, key)) {
        throw new YamlSubsetError(`duplicate key ${key}`, line.number);
      }
      this.index++;
      mapping[key] =
        rest === '' ? this.nested(indent) : parseScalar(rest, line.number);
    }
    const next = this.current;
    if (next && next.indent > indent) {
      throw new YamlSubsetError('unexpected indentation', next.number);
    }
    return mapping;
  }

  /** The value of `key:` with nothing after the colon. */
  private nested(indent: number): YamlValue {
    const next = this.current;
    if (!next) return null;
    if (next.indent > indent) return this.parseBlock(next.indent);
    if (next.indent === indent && isSequenceItem(next.text)) {
      return this.parseSequence(indent);
    }
    return null;
  }

  private parseSequence(indent: number): YamlValue[] {
    const items: YamlValue[] = [];
    for (
      let line = this.current;
      line && line.indent === indent;
      line = this.current
    ) {
      if (!isSequenceItem(line.text)) break;
      const rest = line.text === '-' ? '' : line.text.slice(2).trimStart();
      if (rest === '') {
        this.index++;
        const next = this.current;
        items.push(
          next && next.indent > indent ? this.parseBlock(next.indent) : null,
        );
        continue;
      }
      const offset = indent + (line.text.length - rest.length);
      if (isSequenceItem(rest) || splitEntry(rest)) {
        // `- key: value`: the item is a block starting at the text after "- "
        this.lines[this.index] = {
          number: line.number,
          indent: offset,
          text: rest,
        };
        items.push(this.parseBlock(offset));
      } else {
        this.index++;
        items.push(parseScalar(rest, line.number));
      }
    }
    return items;
  }
}

/**
 * Every document of a multi-document YAML text (empty documents skipped).
 *
 * @throws YamlSubsetError naming the line of anything outside the subset.
 * @example
 * parseYamlDocuments('a: 1\n---\nb: [x]'); // throws: flow sequences are not supported
 */
export function parseYamlDocuments(source: string): YamlValue[] {
  const documents: YamlValue[] = [];
  let start = 0;
  const rawLines = source.split('\n');
  const flush = (end: number): void => {
    const lines = toLines(rawLines.slice(start, end).join('\n'), start + 1);
    if (lines.length > 0) documents.push(new Parser(lines).parseDocument());
  };
  rawLines.forEach((raw, index) => {
    if (/^---\s*(#.*)?$/.test(raw.trimEnd())) {
      flush(index);
      start = index + 1;
    } else if (/^\.\.\.\s*$/.test(raw)) {
      throw new YamlSubsetError(
        'document end markers are not supported',
        index + 1,
      );
    } else if (raw.startsWith('%')) {
      throw new YamlSubsetError('directives are not supported', index + 1);
    }
  });
  flush(rawLines.length);
  return documents;
}
