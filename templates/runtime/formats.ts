/**
 * What the format converters (format-*.ts) share: the error they throw, plain JSON out of what
 * parsers return, and the `[{column: value}]` rows that CSV, HTML and Markdown tables become.
 * Imports no package: each converter imports its own parser, and generated code imports a converter
 * only when one of its operations declares that format.
 */
import type { JsonValue } from './contract.js';

/** The body is not valid in its declared format; the client refuses the answer with this message. */
export class FormatError extends Error {
  override name = 'FormatError';
}

/** Deepest nesting a converted answer may have (XML and Markdown parsers stop at the same depth). */
export const MAX_FORMAT_DEPTH = 64;

/**
 * A JSON copy of a parser's output: own enumerable properties only (so nothing comes from a
 * prototype a hostile key may have set), bytes as base64, big integers as numbers when exact and
 * strings otherwise, non-finite numbers as null. Throws past {@link MAX_FORMAT_DEPTH} levels.
 */
export function plainJson(value: unknown, depth = 0): JsonValue {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'object':
      break;
    default:
      return null;
  }
  if (depth >= MAX_FORMAT_DEPTH)
    throw new FormatError(`it is nested more than ${MAX_FORMAT_DEPTH} levels deep`);
  if (value instanceof Uint8Array) return base64(value);
  if (Array.isArray(value)) return value.map((item) => plainJson(item, depth + 1));
  const source = value as Record<string, unknown>;
  return Object.fromEntries(Object.keys(source).map((k) => [k, plainJson(source[k], depth + 1)]));
}

/** Rows as objects keyed by the header cells (missing cells ''), built without assignment. */
export function tableRows(headers: string[], rows: string[][]): Array<Record<string, string>> {
  return rows.map((row) => Object.fromEntries(headers.map((h, i) => [h, row[i] ?? ''])));
}

/** Header cells trimmed; no header at all when every cell is blank (the table is skipped). */
export function tableHeaders(cells: string[]): string[] {
  const headers = cells.map((cell) => cell.trim());
  return headers.every((h) => h === '') ? [] : headers;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
