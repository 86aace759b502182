/**
 * Markdown tables aligned as prettier aligns them, without parsing the document: the READMEs'
 * tables (one row per operation, route and tool) are most of their bytes, and prettier's Markdown
 * parser is slow on them. prettier pads each cell to its column's widest cell (`getStringWidth`, 3
 * at least) and writes the delimiter row as dashes of that width. A cell's text is its own only
 * when prettier prints it back unchanged, which holds for what the escaping functions of escape.ts
 * write (every Markdown character escaped, code spans in single backticks); a table with any other
 * cell (doubled or other whitespace, longer backtick runs) is left to prettier.
 * test/layout.test.ts compares with prettier.
 */
import { util } from 'prettier';

/** A table's lines (header, delimiter, rows) as found in a document. */
export interface TableBlock {
  /** Index of its first line. */
  start: number;
  /** Index after its last line. */
  end: number;
  rows: string[][];
}

/**
 * The tables of a Markdown document that can be aligned here: `| a | b |` lines, the second a
 * delimiter of dashes, with a blank line (or the document's edge) before and after.
 */
export function alignableTables(lines: readonly string[]): TableBlock[] {
  const tables: TableBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith('|') || (i > 0 && lines[i - 1] !== '')) continue;
    let end = i;
    while (end < lines.length && lines[end].startsWith('|')) end++;
    const rows = lines.slice(i, end).map(cells);
    const columns = rows[0]?.length ?? 0;
    const valid =
      end - i >= 2 &&
      (end === lines.length || lines[end] === '') &&
      rows.every((row) => row !== undefined && row.length === columns) &&
      (rows[1] as string[]).every((c) => /^-{3,}$/.test(c)) &&
      rows.every((row, r) => r === 1 || (row as string[]).every(printedAsIs));
    if (valid) tables.push({ start: i, end, rows: rows as string[][] });
    i = end - 1;
  }
  return tables;
}

/** The table's lines, aligned. */
export function alignTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) =>
    Math.max(3, ...rows.map((row, r) => (r === 1 ? 0 : width(row[c])))),
  );
  return rows.map(
    (row, r) =>
      `| ${row
        .map((cell, c) =>
          r === 1 ? '-'.repeat(widths[c]) : cell + ' '.repeat(widths[c] - width(cell)),
        )
        .join(' | ')} |`,
  );
}

const width = (text: string): number =>
  /^[\x20-\x7e]*$/.test(text) ? text.length : util.getStringWidth(text);

/** The cells of a `| a | b |` line (trimmed, escapes kept); undefined when it is not one. */
function cells(line: string): string[] | undefined {
  if (!line.endsWith('|') || line.length < 2) return undefined;
  const out: string[] = [];
  let cell = '';
  for (let i = 1; i < line.length; i++) {
    const char = line[i];
    if (char === '\\' && i + 1 < line.length) {
      cell += char + line[++i];
    } else if (char === '|') {
      out.push(cell.trim());
      cell = '';
    } else cell += char;
  }
  return cell === '' ? out : undefined;
}

/**
 * Text prettier prints as it is in a table cell: single spaces between words, nothing that starts
 * emphasis, HTML, links or a code span of more than one backtick, and code spans whose content has
 * no backtick (every such character is escaped, as escape.ts writes them).
 */
function printedAsIs(cell: string): boolean {
  return (
    cell !== '' &&
    /^(?:\\[\x21-\x7e]|[^\s\\`*_<>[\]&|~]|`[^`\\\s](?:[^`\s]| (?=[^ `]))*`| (?=\S))*$/u.test(cell)
  );
}
