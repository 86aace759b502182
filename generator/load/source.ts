/**
 * A parsed input document that remembers where every value came from, so later stages can
 * report `file:line:col` for any JSON path without re-reading the text.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml';
import { DiagnosticBag, type Position } from '../diagnostics.js';

export type JsonPath = ReadonlyArray<string | number>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SourceDocument {
  /** File name as shown in diagnostics. */
  file: string;
  /** The document as plain data (undefined when it could not be parsed). */
  data: unknown;
  /** Position of the value at `path` (or of its key with `{ key: true }`); the nearest parent when absent. */
  locate(path: JsonPath, options?: { key?: boolean }): Position;
}

const START: Position = { line: 1, col: 1 };

/** Parse YAML (JSON is YAML) with source positions. Syntax errors become diagnostics. */
export function parseSource(file: string, text: string, bag: DiagnosticBag): SourceDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
  });
  const toPos = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  // The first syntax error is the cause; the parser's errors after it are mostly its consequences
  // (one closing brace indented too little gave 164 "Unexpected token" errors), so only their
  // count is told. Duplicate keys are each their own mistake and are all reported.
  const syntax = doc.errors.filter((error) => error.code !== 'DUPLICATE_KEY');
  const shown = doc.errors.filter((error) => error.code === 'DUPLICATE_KEY' || error === syntax[0]);
  for (const error of shown) {
    const rule = error.code === 'DUPLICATE_KEY' ? 'yaml/duplicate-key' : 'yaml/syntax';
    const offset =
      error.code === 'MISSING_CHAR'
        ? (unclosedQuoteStart(doc, error.pos[0]) ?? error.pos[0])
        : error.pos[0];
    const hint =
      offset !== error.pos[0]
        ? 'this quoted string is never closed: add the closing quote'
        : 'fix the YAML syntax at this position';
    const more =
      rule === 'yaml/syntax' && syntax.length > 1
        ? ` (${syntax.length - 1} more syntax error(s) after it, most likely caused by this one)`
        : '';
    bag.error(file, toPos(offset), rule, firstLine(error.message) + more, hint);
  }
  let data: unknown;
  let failed = doc.errors.length > 0;
  if (!failed) {
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      // e.g. an alias bomb: the yaml library refuses to expand exponentially many aliases.
      bag.error(
        file,
        START,
        'yaml/alias-limit',
        `cannot expand this document: ${error instanceof Error ? firstLine(error.message) : String(error)}`,
        'remove the nested aliases (*name) that multiply the document',
      );
      failed = true;
    }
  }
  return {
    file,
    data,
    locate: (path, options) => (failed ? START : locateIn(doc, path, options?.key ?? false, toPos)),
  };
}

/** The yaml parser reports an unclosed quote where the file ends; the quote that opened it is more useful. */
function unclosedQuoteStart(doc: Document, errorOffset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      if (
        (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') &&
        node.range &&
        node.range[1] >= errorOffset - 1
      )
        start ??= node.range[0];
    },
  });
  return start;
}

function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}

function locateIn(
  doc: Document,
  path: JsonPath,
  key: boolean,
  toPos: (offset: number) => Position,
): Position {
  let node: unknown = doc.contents;
  let found: Node | null = isNodeWithRange(node) ? node : null;
  let keyNode: Node | null = null;
  for (const segment of path) {
    keyNode = null;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
      );
      if (!pair) break;
      keyNode = isNodeWithRange(pair.key) ? pair.key : null;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
    } else {
      break;
    }
    if (isNodeWithRange(node)) found = node;
    else if (keyNode) found = keyNode;
  }
  const target = key && keyNode ? keyNode : found;
  return target?.range ? toPos(target.range[0]) : START;
}

function isNodeWithRange(value: unknown): value is Node {
  return (
    typeof value === 'object' &&
    value !== null &&
    'range' in value &&
    Array.isArray((value as Node).range)
  );
}
